"""The only code of the data-feed app that writes: runs, warnings, review decisions, rules.

A run reads the file and the registry into DuckDB (fangpin.datafeeds.pipeline),
then writes everything it produced in ONE transaction: warnings (repeat
suppression by the unique person × rule × window constraint), rule
evaluations (cadence), review pairs, clues through the monitoring service, an
audit row and the run's own status.  Killed before the commit, it leaves
nothing; the same file and period again creates nothing new.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from fangpin.areas.models import Area
from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log
from fangpin.core.bulk import bulk_insert
from fangpin.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from fangpin.core.idnumber import mask as mask_id
from fangpin.core.jobs import Progress, job_enqueue, job_reap_dead
from fangpin.core.models import AuditAction, Job, JobStatus
from fangpin.core.uploads import copy_limited
from fangpin.datafeeds import clues, matching, pipeline, reading
from fangpin.datafeeds.models import (
    DepartmentWarning,
    FeedRun,
    ReviewPair,
    ReviewStatus,
    RuleEvaluation,
    RunStatus,
    WarningRule,
    WarningStatus,
)
from fangpin.datafeeds.rules import Rule, RuleError, cadence_key, validate_rule
from fangpin.datafeeds.selectors import (
    HAS_LABOUR_VALUES,
    decisions_frame,
    registry_frame,
    rule_level_label,
    rule_params,
    rules_in_force,
    scope_chain,
    user_rule_scope,
)
from fangpin.datafeeds.sources.departments import BY_CODE
from fangpin.datafeeds.templates_rules import TEMPLATES
from fangpin.datafeeds.workflow import OUTCOME_ACTIONS, target_of
from fangpin.registry.models import Household, Person

PERIOD = re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])$")
JOB_KIND = "datafeeds.run"
CHUNK = 5000


def store_dir() -> Path:
    path = Path(settings.FANGPIN["IMPORT_DIR"]).parent / "feeds"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _county_of(actor: Actor) -> Area:
    area = getattr(actor.user, "scope_area", None)
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


def _period_end(period: str) -> date:
    start = date(int(period[:4]), int(period[5:7]), 1)
    return (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def feed_run_execute(*, run: FeedRun, progress: Progress | None = None, today: date | None = None) -> dict[str, Any]:
    """Compare one file: read, repair, link, apply the rules, then write all results at once. [DOMAIN §4.8]"""
    if run.status == RunStatus.DONE:
        return run.stats
    progress = progress or Progress(0)
    today = today or timezone.localdate()
    FeedRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    source = BY_CODE[run.source]
    county = _county_area(run)
    try:
        return _execute(run, source, county, progress, today)
    except Exception as exc:
        if not isinstance(exc, InvalidInput):
            _fail(run, "比对出错，未写入任何预警；请联系系统管理员查看日志后重试。")
        raise


def _county_area(run: FeedRun) -> Area | None:
    return Area.objects.filter(code=run.scope_code.ljust(12, "0")).first()


def _execute(run: FeedRun, source: Any, county: Area | None, progress: Progress, today: date) -> dict[str, Any]:
    con = pipeline.connect()
    try:
        progress.update(0, 6, "读取文件", force=True)
        try:
            load = pipeline.load(con, Path(run.stored_path), source, today=today)
        except reading.FeedFileError as exc:
            _fail(run, str(exc))
            raise InvalidInput(str(exc)) from exc
        progress.update(1, phase="读取农户信息库")
        pipeline.registry_load(con, registry_frame(scope_code=run.scope_code), labour_values=HAS_LABOUR_VALUES)
        progress.update(2, phase="身份证号精确匹配")
        exact = matching.link_exact(con)
        progress.update(3, phase="姓名、出生日期等概率匹配")
        con.register("decisions", decisions_frame(source=run.source))
        fuzzy = matching.link_fuzzy(con, decisions="decisions")
        progress.update(4, phase="执行预警规则")
        rules, skipped = _rules_due(run, source, today)
        params = rule_params(rules, area=county, on=_period_end(run.period))
        counts = pipeline.evaluate_rules(con, rules, source=source, params=params, period=run.period, run_day=today)
        hits = con.execute(
            "SELECT h.person_id, h.household_id, h.rule_code, h.metric_value, h.threshold_value, "
            "h.event_date, h.window_key, f.line FROM hits h LEFT JOIN feed f USING (rid) "
            "ORDER BY h.rule_code, h.person_id"
        ).fetchall()
        review = _review_rows(con) if fuzzy.fuzzy_rows else []
        feedback_path = store_dir() / f"run-{run.pk}-feedback.parquet"
        _write_feedback(con, feedback_path)
        unmatched = con.execute("SELECT count(*) FROM feed WHERE rid NOT IN (SELECT rid FROM links)").fetchall()[0][0]
    finally:
        con.close()
    progress.update(5, phase="写入预警和线索")
    stats = {
        "rows": load.rows,
        "rejected": load.rejected,
        "issues": load.issues,
        "id_counts": load.id_counts,
        "exact": exact,
        "fuzzy_rows": fuzzy.fuzzy_rows,
        "pairs": fuzzy.pairs,
        "auto": fuzzy.auto,
        "review": fuzzy.review,
        "unmatched": unmatched,
        "rule_hits": counts,
        "rules_skipped": skipped,
        "encoding": load.encoding,
        "kind": load.kind,
        "feedback": str(feedback_path),
    }
    with transaction.atomic():
        locked = FeedRun.objects.select_for_update().get(pk=run.pk)
        if locked.status == RunStatus.DONE:
            return locked.stats
        created = _write_warnings(locked, hits, rules, today)
        _pause_for_kill_test()
        stats["new_warnings"] = created["warnings"]
        stats["suppressed"] = len(hits) - created["warnings"]
        stats["clues"] = created["clues"]
        _write_review(locked, review)
        audit_log(
            actor=Actor.command(locked.created_by).with_batch(f"feedrun-{locked.pk}"),
            action=AuditAction.IMPORT,
            object_type="FeedRun",
            object_id=locked.pk,
            object_label=f"{locked.source} {locked.period}",
            area_code=locked.scope_code,
            changes={"rows": [None, load.rows], "warnings": [None, created["warnings"]]},
        )
        FeedRun.objects.filter(pk=locked.pk).update(
            status=RunStatus.DONE, stats=stats, finished_at=timezone.now(), message=""
        )
    progress.update(6, phase="完成", force=True)
    return stats


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


def _rules_due(run: FeedRun, source: Any, today: date) -> tuple[list[Rule], list[str]]:
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


def _existing_keys(hits: list[tuple[Any, ...]]) -> set[tuple[int, str, str]]:
    persons = sorted({h[0] for h in hits})
    keys: set[tuple[int, str, str]] = set()
    for i in range(0, len(persons), CHUNK):
        keys.update(
            DepartmentWarning.objects.filter(person_id__in=persons[i : i + CHUNK]).values_list(
                "person_id", "rule_code", "window_key"
            )
        )
    return keys


def _write_warnings(run: FeedRun, hits: list[tuple[Any, ...]], rules: list[Rule], today: date) -> dict[str, int]:
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
    made = _raise_clues(run, new, {r.code: r for r in rules}, households) if new else 0
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


def _raise_clues(
    run: FeedRun, warnings: list[DepartmentWarning], rules: dict[str, Rule], households: dict[int, Household]
) -> int:
    """Each warning → a risk clue for its village through the monitoring clue service. `households`:
    the warnings' households (only what the clue service reads: village, grid)."""
    if clues.clue_service() is None:
        return 0
    villages = {a.code: a for a in Area.objects.filter(code__in={w.village_code for w in warnings})}
    # Only what the clue service reads (membership, village, grid): not whole registry rows.
    persons = Person.objects.only("pk", "household_id").in_bulk([w.person_id for w in warnings])
    source = BY_CODE[run.source]
    items = []
    for w in warnings:
        rule = rules[w.rule_code]
        metric = f"（{w.metric_value}，阈值{w.threshold_value}）" if w.metric_value is not None else ""
        items.append(
            {
                "source": "department_warning",
                "village": villages.get(w.village_code),
                "summary": f"{source.label}预警 {rule.code}：{rule.title}{metric}"[:500],
                "household": households.get(w.household_id),
                "person": persons.get(w.person_id),
                "risk_types": tuple(rule.risk_types),
                "source_ref": str(w.pk),
                "reporter_name": source.label,
            }
        )
    # The run itself raises the clues (a liaison who uploaded the file may not register clues).
    made = clues.create_clues(items=items, actor=Actor.system()) or []
    now = timezone.now()
    for w, clue in zip(warnings, made, strict=False):
        w.clue_id = getattr(clue, "pk", None)
        w.status = target_of(w.status, "distribute") or w.status
        w.distributed_at = now
    _mark_distributed(warnings[: len(made)], now)
    return len(made)


def _mark_distributed(warnings: list[DepartmentWarning], now: Any) -> None:
    """Each warning's clue, status and distribution time: one prepared UPDATE by primary key, sent
    as a batch (`bulk_update` builds a CASE per row and field, which took most of the write time)."""
    meta = DepartmentWarning._meta
    q = connection.ops.quote_name
    cols = [q(meta.get_field(f).column) for f in ("clue_id", "status", "distributed_at")]
    sql = f"UPDATE {q(meta.db_table)} SET {cols[0]} = %s, {cols[1]} = %s, {cols[2]} = %s WHERE {q(meta.pk.column)} = %s"
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        for start in range(0, len(warnings), CHUNK):
            cursor.executemany(sql, [(w.clue_id, w.status, at, w.pk) for w in warnings[start : start + CHUNK]])


def _review_rows(con: Any) -> list[tuple[Any, ...]]:
    return con.execute(
        """SELECT l.feed_key, b.person_id, b.probability, f.line, f.name, f.id_raw, f.birth_date, f.sex, f.village_code
        FROM _best b JOIN fl l USING (rid) JOIN feed f USING (rid) WHERE b.band = 'review'"""
    ).fetchall()


def _write_review(run: FeedRun, rows: list[tuple[Any, ...]]) -> None:
    villages = (
        dict(Person.objects.filter(pk__in=[r[1] for r in rows]).values_list("pk", "household__village_code"))
        if rows
        else {}
    )
    ReviewPair.objects.bulk_create(
        [
            ReviewPair(
                source=run.source,
                feed_key=key,
                person_id=person_id,
                village_code=villages.get(person_id, ""),
                run=run,
                probability=round(float(p), 6),
                feed_record={
                    "line": line,
                    "name": name,
                    "id_masked": mask_id(raw or ""),
                    "birth_date": born.isoformat() if born else "",
                    "sex": sex or "",
                    "village_code": village or "",
                },
            )
            for key, person_id, p, line, name, raw, born, sex, village in rows
        ],
        batch_size=2000,
        ignore_conflicts=True,  # a pair already decided (or already queued) never comes back
    )


def _write_feedback(con: Any, path: Path) -> None:
    """Unmatched and invalid rows with their reasons, for the department's feedback file."""
    from fangpin.datafeeds.pipeline import ISSUE_TEXT

    con.execute("CREATE OR REPLACE TEMP TABLE _reasons(code VARCHAR, text VARCHAR)")
    con.executemany("INSERT INTO _reasons VALUES (?, ?)", list(ISSUE_TEXT.items()))
    tmp = path.with_suffix(".tmp")
    con.execute(
        f"""COPY (
            SELECT i.line, coalesce(f.name, '') AS name, coalesce(f.id_raw, '') AS id_raw, i.column_label,
                   coalesce(r.text, i.code) AS reason
            FROM feed_issues i LEFT JOIN feed f USING (rid) LEFT JOIN _reasons r ON r.code = i.code
            UNION ALL
            SELECT f.line, f.name, coalesce(f.id_raw, ''), '', (SELECT text FROM _reasons WHERE code = 'unmatched')
            FROM feed f WHERE f.rid NOT IN (SELECT rid FROM links)
            ORDER BY 1
        ) TO '{str(tmp).replace("'", "''")}' (FORMAT parquet)"""
    )
    tmp.replace(path)


# ---- review queue ------------------------------------------------------------------------------


def review_decide(*, actor: Actor, pair: ReviewPair, verdict: str) -> ReviewPair:
    """Confirm or dismiss a suspected match; the decision is reused in every later run. [PEERS §5 item 1]"""
    if verdict not in (ReviewStatus.CONFIRMED, ReviewStatus.DISMISSED):
        raise InvalidInput("核对结论只能是“是同一人”或“不是同一人”。")
    if not actor.user.can("datafeeds.review"):
        raise Forbidden()
    with transaction.atomic():
        locked = ReviewPair.objects.select_for_update().get(pk=pair.pk)
        if locked.status != ReviewStatus.OPEN:
            raise Conflict("该疑似匹配已由他人核对过，请刷新。")
        locked.status = verdict
        locked.decided_by = actor.user
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        audit_log(
            actor=actor,
            action=AuditAction.TRANSITION,
            changes={"status": [ReviewStatus.OPEN, verdict]},
            object_type="ReviewPair",
            object_id=locked.pk,
            area_code=locked.village_code,
            household_id=locked.person.household_id,
        )
    return locked


# ---- rules -------------------------------------------------------------------------------------


def rules_seed() -> int:
    """Write the shipped templates as national rules (enabled) if they are not there yet."""
    made = 0
    for tpl in TEMPLATES:
        _, created = WarningRule.objects.get_or_create(
            code=tpl.code,
            scope_code="",
            effective_from=date(2024, 1, 1),
            defaults={**_rule_fields(tpl), "enabled": True},
        )
        made += int(created)
    return made


def _rule_fields(rule: Rule) -> dict[str, Any]:
    data = asdict(rule)
    data.pop("code")
    data.pop("params", None)
    data["risk_types"] = list(rule.risk_types)
    return data


def _rule_for_change(actor: Actor, rule: WarningRule) -> WarningRule:
    """The row a change by `actor` lands on, locked: the rule itself when it is of the actor's own
    scope; for a rule of a level above (national, provincial), the actor's own effective-dated
    version of it, created from it today if there is none yet.  A rule of another or a lower area
    is refused (404 / 403): a county never changes what other counties use. [issue 12 §2]"""
    if actor.user is None or not actor.user.can("datafeeds.rules"):
        raise Forbidden()
    own = user_rule_scope(actor.user)
    if own is None or rule.scope_code not in scope_chain(own):
        if own is not None and rule.scope_code.startswith(own):
            raise Forbidden("这是下级区划自己的规则版本，由该区划的管理员维护。")
        raise NotFound()
    if rule.scope_code == own:
        return WarningRule.objects.select_for_update().get(pk=rule.pk)
    today = timezone.localdate()
    mine = (
        WarningRule.objects.select_for_update()
        .filter(code=rule.code, scope_code=own, effective_from__lte=today)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today))
        .order_by("-effective_from")
        .first()
    )
    if mine is not None:
        return mine
    base = WarningRule.objects.get(pk=rule.pk)
    fields = {f: getattr(base, f) for f in RULE_COPY_FIELDS}
    return WarningRule.objects.create(
        code=base.code, scope_code=own, effective_from=today, version=1, updated_at=timezone.now(), **fields
    )


RULE_COPY_FIELDS = (
    "source",
    "title",
    "condition",
    "population",
    "window",
    "cadence",
    "metric",
    "threshold",
    "risk_types",
    "enabled",
)


def _rule_audit(actor: Actor, row: WarningRule, changes: dict[str, list[Any]]) -> None:
    # The area the change applies to (a county's own version: that county; a provincial rule:
    # the province), so that area's auditors see it and other counties' do not.
    audit_log(
        actor=actor,
        action=AuditAction.CONFIG,
        object_type="WarningRule",
        object_id=row.pk,
        object_label=f"{row.code}（{rule_level_label(row.scope_code)}）",
        area_code=row.scope_code.ljust(12, "0") if row.scope_code else "",
        changes=changes,
    )


def rule_set_enabled(*, actor: Actor, rule: WarningRule, enabled: bool) -> WarningRule:
    """Switch a rule on or off (after its preview) for the actor's own area. [issue 12 §2]"""
    with transaction.atomic():
        locked = _rule_for_change(actor, rule)
        if enabled:
            _validate(locked)
        old = locked.enabled
        locked.enabled = enabled
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save(update_fields=["enabled", "version", "updated_at"])
        _rule_audit(actor, locked, {"enabled": [old, enabled], "scope_code": [rule.scope_code, locked.scope_code]})
    return locked


def rule_update(*, actor: Actor, rule: WarningRule, condition: str, title: str) -> WarningRule:
    """Edit a rule's condition for the actor's own area; an edited rule is switched off until
    previewed and switched on again."""
    if actor.user is None or not actor.user.can("datafeeds.rules"):
        raise Forbidden()
    probe = Rule(
        code=rule.code,
        source=rule.source,
        title=title,
        condition=condition,
        population=rule.population,
        window=rule.window,
        cadence=rule.cadence,
        metric=rule.metric,
        threshold=rule.threshold,
    )
    _validate_rule(probe)
    with transaction.atomic():
        locked = _rule_for_change(actor, rule)
        changes = {
            "condition": [locked.condition, condition],
            "title": [locked.title, title],
            "scope_code": [rule.scope_code, locked.scope_code],
        }
        locked.condition, locked.title, locked.enabled = condition, title, False
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save(update_fields=["condition", "title", "enabled", "version", "updated_at"])
        _rule_audit(actor, locked, changes)
    return locked


def _validate(row: WarningRule) -> None:
    from fangpin.datafeeds.selectors import to_rule

    _validate_rule(to_rule(row))


def _validate_rule(rule: Rule) -> None:
    columns = {c.name for c in BY_CODE[rule.source].columns} if rule.source in BY_CODE else set()
    try:
        params = rule_params([rule], area=None, on=timezone.localdate())
        validate_rule(rule, columns=columns, params=params)
    except RuleError as exc:
        raise InvalidInput(str(exc)) from exc


def rule_preview(*, rule: WarningRule, run: FeedRun, sample: int = 10) -> dict[str, Any]:
    """How many households the rule would flag on a run's file, with a masked sample. [PEERS §5 item 6]"""
    from fangpin.datafeeds.selectors import to_rule

    probe = to_rule(rule)
    source = BY_CODE.get(run.source)
    county = _county_area(run)
    try:
        params = rule_params([probe], area=county, on=_period_end(run.period))
        con = pipeline.connect()
        pipeline.load(con, Path(run.stored_path), source, today=timezone.localdate())
        pipeline.registry_load(con, registry_frame(scope_code=run.scope_code), labour_values=HAS_LABOUR_VALUES)
        matching.link_exact(con)
        con.register("decisions", decisions_frame(source=run.source))
        matching.link_fuzzy(con, decisions="decisions")
        pipeline.evaluate_rules(
            con, [probe], source=source, params=params, period=run.period, run_day=timezone.localdate()
        )
    except (RuleError, reading.FeedFileError) as exc:
        raise InvalidInput(str(exc)) from exc
    households = con.execute("SELECT count(DISTINCT household_id) FROM hits").fetchall()[0][0]
    rows = con.execute(f"SELECT person_id, metric_value FROM hits ORDER BY person_id LIMIT {int(sample)}").fetchall()
    con.close()
    persons = Person.objects.select_related("household").in_bulk([r[0] for r in rows])
    return {
        "households": households,
        "sample": [
            {
                "name": persons[pid].name,
                "id_masked": persons[pid].id_number_masked,
                "village_code": persons[pid].household.village_code,
                "metric": metric,
            }
            for pid, metric in rows
            if pid in persons
        ],
    }


# ---- verification feedback ---------------------------------------------------------------------


def warning_sync_outcomes(*, actor: Actor) -> int:
    """Copy each clue's verification outcome onto its warning, through the transition table. [DOMAIN §3.7]"""
    pending = list(
        DepartmentWarning.objects.filter(status=WarningStatus.DISTRIBUTED, clue_id__isnull=False).values_list(
            "pk", "clue_id"
        )
    )
    states = clues.clue_states([c for _, c in pending])
    changed = 0
    for pk, clue_id in pending:
        state = states.get(clue_id) or {}
        action = OUTCOME_ACTIONS.get(str(state.get("outcome") or ""))
        if not action:
            continue
        with transaction.atomic():
            warning = DepartmentWarning.objects.select_for_update().get(pk=pk)
            target = target_of(warning.status, action)
            if target is None:
                continue
            warning.status = target
            warning.verification_result = str(state.get("outcome"))
            warning.closed_at = state.get("closed_at")
            warning.save(update_fields=["status", "verification_result", "closed_at"])
            audit_log(
                actor=actor,
                action=AuditAction.TRANSITION,
                object_type="DepartmentWarning",
                object_id=pk,
                area_code=warning.village_code,
                household_id=warning.household_id,
                changes={"status": [WarningStatus.DISTRIBUTED, target]},
            )
            changed += 1
    return changed
