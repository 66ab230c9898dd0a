"""Reading the data-quality checks: one check's rows, the report's summary, and the blocking
problems of one household (the provider monitoring's approval guard calls, registered in
apps.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import (
    CharField,
    F,
    QuerySet,
    Value,
)

from fangpin.monitoring.services.quality_guard import AsEliminated
from fangpin.quality import rules
from fangpin.quality.blocks import Check, Ctx
from fangpin.quality.checks import BY_CODE, CHECKS
from fangpin.registry.models import Person

__all__ = ["BY_CODE", "CHECKS", "check_count", "check_rows", "context_for", "household_blocking_problems", "summary"]


def context_for(user: Any, today: date) -> Ctx:
    return Ctx(user=user, area=getattr(user, "scope_area", None), today=today)


def check_rows(check: Check, ctx: Ctx) -> QuerySet[Any]:
    """The rows of one check as plain values: household, village, member, detail."""
    if check.query is None:
        return Person.objects.none().values()
    qs = check.query(ctx)
    if check.level == "person":
        return qs.values(
            "household_id",
            hh_code=F("household__national_household_code"),
            village_name=F("household__village__name"),
            person_name=F("name"),
        ).order_by("household__village_code", "household_id", "id")
    return qs.values(
        "household_id",
        hh_code=F("household__national_household_code"),
        village_name=F("village__name"),
        person_name=Value("", output_field=CharField()),
    ).order_by("village_code", "household_id", "id")


def check_count(check: Check, ctx: Ctx) -> int | None:
    return None if check.query is None else check.query(ctx).count()


def summary(user: Any, today: date) -> list[dict[str, Any]]:
    """One row per check, blocking checks first: code, title, severity, count."""
    ctx = context_for(user, today)
    blocking = rules.blocking_checks(str(ctx.param("dq_blocking_checks")))
    rows = [
        {
            "code": c.code,
            "title": c.title,
            "note": c.note,
            "severity": rules.severity(c.code, blocking),
            "count": check_count(c, ctx),
        }
        for c in CHECKS
    ]
    return sorted(rows, key=lambda r: (r["severity"] != rules.BLOCKING, r["code"]))


def household_blocking_problems(
    *, household: Any, user: Any, today: date, episode_id: int | None = None, as_eliminated: AsEliminated | None = None
) -> list[str]:
    """Every blocking check the household fails, in Chinese (the county-approval
    guard of identification and elimination). The set-based queries of the
    report, narrowed to the household's members and to the episode being
    decided (`episode_id`; earlier, closed episodes are history the approval
    cannot correct); thresholds and the blocking list are those in force for
    the household's village. `as_eliminated`: the elimination being approved,
    judged as if it were done."""
    ctx = Ctx(
        user=user,
        area=household.village,
        today=today,
        household_id=household.pk,
        episode_id=episode_id,
        as_eliminated=as_eliminated,
    )
    blocking = rules.blocking_checks(str(ctx.param("dq_blocking_checks")))
    problems = []
    for check in CHECKS:
        if check.code not in blocking or check.query is None:
            continue
        rows = list(check_rows(check, ctx))
        if not rows:
            continue
        names = list(dict.fromkeys(r["person_name"] for r in rows if r["person_name"]))
        who = f"（{'、'.join(names)}）" if names else ""
        problems.append(f"{check.code} {check.title}{who}")
    return problems
