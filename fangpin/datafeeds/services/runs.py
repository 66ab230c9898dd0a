"""Runs: an uploaded department file stored and queued, its job, and the run that compares it
(`core.compare.compare`) and writes everything it produced in ONE transaction: warnings (repeat
suppression by the unique person × rule × window constraint), rule evaluations (cadence), review
pairs, clues through the monitoring service, an audit row and the run's own status.  Killed before
the commit, it leaves nothing; the same file and period again creates nothing new.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from fangpin.areas.models import Area
from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log
from fangpin.core.bulk import bulk_insert
from fangpin.core.errors import Forbidden, InvalidInput
from fangpin.core.jobs import Progress, job_enqueue, job_reap_dead
from fangpin.core.models import AuditAction, Job, JobStatus
from fangpin.core.uploads import copy_limited
from fangpin.datafeeds.core import reading
from fangpin.datafeeds.core.compare import STEPS, Comparison, Hit, compare
from fangpin.datafeeds.core.rules import Rule, cadence_key
from fangpin.datafeeds.core.sources import Source
from fangpin.datafeeds.core.sources.departments import BY_CODE
from fangpin.datafeeds.models import DepartmentWarning, FeedRun, RuleEvaluation, RunStatus
from fangpin.datafeeds.selectors import HAS_LABOUR_VALUES, decisions_frame, registry_frame, rule_params, rules_in_force
from fangpin.datafeeds.services.common import CHUNK, county_area, period_end, store_dir
from fangpin.datafeeds.services.outcomes import raise_clues
from fangpin.datafeeds.services.review import queue_review_pairs
from fangpin.registry.models import Household

PERIOD = re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])$")
JOB_KIND = "datafeeds.run"


def _county_of(actor: Actor) -> Area:
    area: Area | None = getattr(actor.user, "scope_area", None)
    if area is None or not actor.user.can("datafeeds.upload"):
        raise Forbidden()
    return area


def _check_period(period: str) -> date:
    match = PERIOD.match(period or "")
    if not match:
        raise InvalidInput("数据期间格式应为“年-月”，如 2026-10。")
    start = date(int(match[1]), int(match[2]), 1)
    if start > timezone.localdate():
        raise InvalidInput("数据期间不能晚于本月。")
    return start


def feed_run_create(*, actor: Actor, source: str, period: str, stream: IO[bytes], file_name: str) -> FeedRun:
    """Store an uploaded department file and queue its comparison; the same file and period again is the same run."""
    if source not in BY_CODE:
        raise InvalidInput("数据来源不存在，请从列表中选择。")
    _check_period(period)
    area = _county_of(actor)
    digest, size, tmp = _save_stream(stream)
    suffix = Path(file_name).suffix.lower()[:10] if Path(file_name).suffix else ""
    target = store_dir() / f"{digest}{suffix}"
    if not target.exists():
        shutil.move(str(tmp), target)
    else:
        tmp.unlink(missing_ok=True)
    try:
        reading.sniff_kind(target)
    except reading.FeedFileError as exc:
        raise InvalidInput(str(exc)) from exc
    with transaction.atomic():
        run, created = FeedRun.objects.get_or_create(
            source=source,
            period=period,
            file_sha256=digest,
            scope_code=area.prefix,
            defaults={
                "file_name": file_name[:255],
                "file_size": size,
                "stored_path": str(target),
                "created_by": actor.user,
            },
        )
        if created:
            audit_log(
                actor=actor,
                action=AuditAction.IMPORT,
                object_type="FeedRun",
                object_id=run.pk,
                object_label=f"{source} {period} {file_name}"[:200],
                area_code=area.code,
            )
    if run.status == RunStatus.DONE:
        return run
    if run.status == RunStatus.RUNNING and not _job_alive(run):
        run.status = RunStatus.FAILED  # its process died (killed, power loss): nothing was written
    if run.status in (RunStatus.QUEUED, RunStatus.FAILED):
        if run.status == RunStatus.FAILED:
            FeedRun.objects.filter(pk=run.pk).update(status=RunStatus.QUEUED, message="")
        job_enqueue(kind=JOB_KIND, params={"run": run.pk}, user=actor.user, identity_key=f"{JOB_KIND}:{run.pk}")
        run.refresh_from_db()
    return run


def _job_alive(run: FeedRun) -> bool:
    job_reap_dead()
    return Job.objects.filter(
        kind=JOB_KIND, params__run=run.pk, status__in=(JobStatus.QUEUED, JobStatus.RUNNING)
    ).exists()


def _save_stream(stream: IO[bytes]) -> tuple[str, int, Path]:
    handle = tempfile.NamedTemporaryFile(dir=store_dir(), delete=False, suffix=".part")  # noqa: SIM115
    handle.close()
    # Past FANGPIN_UPLOAD_MAX_BYTES the partial file is deleted and the upload refused.
    digest, size = copy_limited(stream, Path(handle.name))
    if size == 0:
        Path(handle.name).unlink(missing_ok=True)
        raise InvalidInput("上传的文件是空的。")
    return digest, size, Path(handle.name)


def run_feed_job(job: Any, progress: Progress) -> dict[str, Any]:
    run = FeedRun.objects.get(pk=job.params["run"])
    return feed_run_execute(run=run, progress=progress)


def feed_run_execute(*, run: FeedRun, progress: Progress | None = None, today: date | None = None) -> dict[str, Any]:
    """Compare one file: read, repair, link, apply the rules, then write all results at once. [DOMAIN §4.8]"""
    if run.status == RunStatus.DONE:
        return dict(run.stats)
    progress = progress or Progress(0)
    today = today or timezone.localdate()
    FeedRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    source = BY_CODE[run.source]
    county = county_area(run)
    try:
        return _execute(run, source, county, progress, today)
    except Exception as exc:
        if not isinstance(exc, InvalidInput):
            _fail(run, "比对出错，未写入任何预警；请联系系统管理员查看日志后重试。")
        raise


def _execute(run: FeedRun, source: Source, county: Area | None, progress: Progress, today: date) -> dict[str, Any]:
    rules, skipped = _rules_due(run, source, today)
    feedback_path = store_dir() / f"run-{run.pk}-feedback.parquet"
    try:
        result = compare(
            path=Path(run.stored_path),
            source=source,
            registry=registry_frame(scope_code=run.scope_code),
            decisions=decisions_frame(source=run.source),
            rules=rules,
            params=rule_params(rules, area=county, on=period_end(run.period)),
            period=run.period,
            today=today,
            labour_values=HAS_LABOUR_VALUES,
            feedback_path=feedback_path,
            on_step=lambda i, phase: progress.update(i, len(STEPS) + 1, phase, force=i == 0),
        )
    except reading.FeedFileError as exc:
        _fail(run, str(exc))
        raise InvalidInput(str(exc)) from exc
    progress.update(len(STEPS), phase="写入预警和线索")
    stats = _stats(result, skipped, feedback_path)
    with transaction.atomic():
        locked = FeedRun.objects.select_for_update().get(pk=run.pk)
        if locked.status == RunStatus.DONE:
            return dict(locked.stats)
        created = _write_warnings(locked, result.hits, rules, today)
        _pause_for_kill_test()
        stats["new_warnings"] = created["warnings"]
        stats["suppressed"] = len(result.hits) - created["warnings"]
        stats["clues"] = created["clues"]
        queue_review_pairs(run=locked, rows=result.review)
        _audit_run(locked, rows=result.load.rows, warnings=created["warnings"])
        FeedRun.objects.filter(pk=locked.pk).update(
            status=RunStatus.DONE, stats=stats, finished_at=timezone.now(), message=""
        )
    progress.update(len(STEPS) + 1, phase="完成", force=True)
    return stats


def _stats(result: Comparison, skipped: list[str], feedback_path: Path) -> dict[str, Any]:
    load, link = result.load, result.link
    return {
        "rows": load.rows,
        "rejected": load.rejected,
        "issues": load.issues,
        "id_counts": load.id_counts,
        "exact": result.exact,
        "fuzzy_rows": link.fuzzy_rows,
        "pairs": link.pairs,
        "auto": link.auto,
        "review": link.review,
        "unmatched": result.unmatched,
        "rule_hits": result.rule_hits,
        "rules_skipped": skipped,
        "encoding": load.encoding,
        "kind": load.kind,
        "feedback": str(feedback_path),
    }


def _audit_run(run: FeedRun, *, rows: int, warnings: int) -> None:
    audit_log(
        actor=Actor.command(run.created_by).with_batch(f"feedrun-{run.pk}"),
        action=AuditAction.IMPORT,
        object_type="FeedRun",
        object_id=run.pk,
        object_label=f"{run.source} {run.period}",
        area_code=run.scope_code,
        changes={"rows": [None, rows], "warnings": [None, warnings]},
    )


def _pause_for_kill_test() -> None:
    # The killed-subprocess test sets this to kill a run inside its write transaction.
    pause = float(os.environ.get("FANGPIN_FEEDS_PAUSE_IN_WRITE", "0") or 0)
    if pause:
        mark = os.environ.get("FANGPIN_FEEDS_PAUSE_MARK")
        if mark:
            Path(mark).write_text("in write transaction")
        time.sleep(pause)


def _fail(run: FeedRun, message: str) -> None:
    FeedRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, message=message, finished_at=timezone.now())


def _rules_due(run: FeedRun, source: Source, today: date) -> tuple[list[Rule], list[str]]:
    """Rules of this source (and registry-wide checks) whose cadence has not run yet in this window."""
    candidates = rules_in_force(source=source.code, scope_code=run.scope_code, on=today)
    candidates += rules_in_force(source="registry", scope_code=run.scope_code, on=today)
    due, skipped = [], []
    for rule in candidates:
        key = cadence_key(rule.cadence, period=run.period, run_day=today, run_ref=f"run-{run.pk}")
        if RuleEvaluation.objects.filter(rule_code=rule.code, scope_code=run.scope_code, cadence_key=key).exists():
            skipped.append(rule.code)
        else:
            due.append(rule)
    return due, skipped


def _existing_keys(hits: Sequence[Hit]) -> set[tuple[int, str, str]]:
    persons = sorted({h[0] for h in hits})
    keys: set[tuple[int, str, str]] = set()
    for i in range(0, len(persons), CHUNK):
        keys.update(
            DepartmentWarning.objects.filter(person_id__in=persons[i : i + CHUNK]).values_list(
                "person_id", "rule_code", "window_key"
            )
        )
    return keys


def _write_warnings(run: FeedRun, hits: Sequence[Hit], rules: list[Rule], today: date) -> dict[str, int]:
    existing = _existing_keys(hits)
    # The household's village routes the warning and its clue (and the grid, the clue service).
    households = Household.objects.only("pk", "village_code", "grid_id").in_bulk(sorted({h[1] for h in hits}))
    now = timezone.now()
    new = []
    for person_id, household_id, code, metric, threshold, event_date, window, line in hits:
        if (person_id, code, window) in existing:
            continue  # repeat suppression: same person, rule and window
        existing.add((person_id, code, window))
        new.append(
            DepartmentWarning(
                run=run,
                source=run.source,
                rule_code=code,
                person_id=person_id,
                household_id=household_id,
                village_code=households[household_id].village_code if household_id in households else "",
                metric_value=metric,
                threshold_value=threshold,
                event_date=event_date,
                window_key=window,
                line=line,
                created_at=now,
            )
        )
    _insert_warnings(run, new)
    by_code: dict[str, int] = {}
    for w in new:
        by_code[w.rule_code] = by_code.get(w.rule_code, 0) + 1
    RuleEvaluation.objects.bulk_create(
        [
            RuleEvaluation(
                rule_code=r.code,
                scope_code=run.scope_code,
                run=run,
                new_warnings=by_code.get(r.code, 0),
                cadence_key=cadence_key(r.cadence, period=run.period, run_day=today, run_ref=f"run-{run.pk}"),
            )
            for r in rules
        ]
    )
    made = raise_clues(run=run, warnings=new, rules={r.code: r for r in rules}, households=households) if new else 0
    return {"warnings": len(new), "clues": made}


def _insert_warnings(run: FeedRun, warnings: list[DepartmentWarning]) -> None:
    """Set-based insert (core.bulk) and the new ids read back by the run's unique
    (person, rule, window) keys: every warning of a run is new in its transaction."""
    if not warnings:
        return
    fields = [f.attname for f in DepartmentWarning._meta.concrete_fields if not f.primary_key]
    bulk_insert(DepartmentWarning, ({f: getattr(w, f) for f in fields} for w in warnings))
    ids = {
        (person, code, window): pk
        for person, code, window, pk in DepartmentWarning.objects.filter(run=run).values_list(
            "person_id", "rule_code", "window_key", "pk"
        )
    }
    for w in warnings:
        w.pk = ids[(w.person_id, w.rule_code, w.window_key)]
        w._state.adding = False
