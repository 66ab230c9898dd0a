"""Demo monitoring data for `fangpin demo-setup`: historical episodes in bulk
across the county, and in-flight clues, cases, notices and eliminations in the
demo village made through the services (so timelines and notices are real).
Idempotent: skipped when the county already has monitoring data."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from fangpin.accounts.models import User
from fangpin.areas.models import Area, AreaLevel
from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log
from fangpin.core.models import AuditAction
from fangpin.monitoring import rules, services
from fangpin.monitoring.choices import EpisodeStatus
from fangpin.monitoring.models import IdentificationCase, MonitoringEpisode
from fangpin.registry.models import Household
from fangpin.synth.migrant_work import migrant_work_demo

RISKS = ["illness", "disability", "schooling", "accident", "unstable_employment", "lack_of_labour", "industry_failure"]
CATEGORIES = ["unstable_escaped", "marginal", "marginal", "sudden_hardship"]
SUMMARIES = [
    "户主突发脑梗住院，自付医疗费用较高，家庭收入骤减",
    "子女就读高职，学费和生活费负担较重",
    "务工人员返乡，暂无稳定工作",
    "养殖的生猪发生疫病，产业收入大幅减少",
    "房屋墙体开裂，经鉴定为C级危房",
    "家中老人残疾需长期照护，劳动力不足",
]


def monitoring_demo(*, county: Area, episodes: int = 400, seed: int = 2026) -> dict[str, int]:
    today = timezone.localdate()
    # The dated migrant-work records that DQ-19/DQ-20 read, consistent with the members' 务工 fields.
    migrant_work_demo(actor=Actor.command(), county=county, today=today, seed=seed)
    if MonitoringEpisode.objects.filter(village_code__startswith=county.prefix).exists():
        return {}
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    village = Area.objects.filter(level=AreaLevel.VILLAGE, code__startswith=county.prefix).order_by("code").first()
    if village is None:
        raise ValueError(f"演示县 {county.code} 没有村级区划")
    demo_households = list(Household.objects.filter(village_code=village.code).order_by("id")[:40])
    skip = {h.pk for h in demo_households}
    counts = {"episodes": _history(county, rng, today, episodes, skip)}
    counts.update(_in_flight(village, demo_households, rng, today))
    return counts


def _history(county: Area, rng: random.Random, today: date, n: int, skip: set[int]) -> int:
    """Historical episodes, as a county would import them, in one bulk insert."""
    ids = list(
        Household.objects.filter(village_code__startswith=county.prefix)
        .exclude(pk__in=skip)
        .values_list("pk", "village_id", "village_code")
    )
    rows = []
    for pk, village_id, code in rng.sample(ids, min(n, len(ids))):
        identified = today - timedelta(days=rng.randint(30, 900))
        risks = rng.sample(RISKS, rng.randint(1, 2))
        status = rng.choices([EpisodeStatus.MONITORED, EpisodeStatus.ELIMINATED, EpisodeStatus.STABLE], [5, 3, 2])[0]
        eliminated = None
        if status != EpisodeStatus.MONITORED:
            eliminated = identified + timedelta(days=rng.randint(190, 400))
            if eliminated >= today:
                status, eliminated = EpisodeStatus.MONITORED, None
        follow_up = rules.add_months(eliminated, 12) if eliminated else None
        if status == EpisodeStatus.ELIMINATED and follow_up and follow_up <= today:
            status = EpisodeStatus.STABLE
        rows.append(
            MonitoringEpisode(
                household_id=pk,
                village_id=village_id,
                village_code=code,
                category=rng.choice(CATEGORIES),
                risk_types=risks,
                status=status,
                identified_on=identified,
                eliminated_on=eliminated,
                elimination_mode="assisted" if eliminated else "",
                follow_up_until=follow_up,
                covered_risk_types=risks if eliminated or rng.random() < 0.6 else [],
                first_measure_on=identified + timedelta(days=rng.randint(3, 40)),
                monitoring_contact_name=rng.choice(["王建国", "李秀英", "张卫东", "刘芳"]),
            )
        )
    with transaction.atomic():
        MonitoringEpisode.objects.bulk_create(rows, batch_size=1000)
        audit_log(
            actor=Actor.command(),
            action=AuditAction.IMPORT,
            object_type="monitoring.episode",
            object_label=f"演示数据：{len(rows)} 条历史监测记录",
            area_code=county.code,
        )
    return len(rows)


def _user(role: str, code: str) -> Any:
    return User.objects.filter(role=role, area__code__startswith=code[:6], is_active=True).order_by("id").first()


def _in_flight(village: Area, households: list[Household], rng: random.Random, today: date) -> dict[str, int]:
    """Clues and cases in every state in the demo village, through the services."""
    v = Actor.command(_user("village_cadre", village.code))
    t = Actor.command(_user("township_staff", village.code))
    c = Actor.command(_user("county_staff", village.code))
    if None in (v.user, t.user, c.user):
        return {}
    # The demo users must sit above the demo village for the services' scope checks.
    if not (v.user.scope_area and v.user.scope_area.contains(village)):
        return {}
    # 11 clues and 6 cases, each on its own household: a tiny demo village gets none.
    if len(households) < 17:
        return {}
    pool = iter(households)
    clues = 0
    for source, steps in [
        ("self_report", 0),
        ("department_warning", 0),
        ("hotline", 1),
        ("visit", 2),
        ("supervision", 2),
    ]:
        for _ in range(2):
            clue = services.clue_create(
                source=source,
                village=village,
                summary=rng.choice(SUMMARIES),
                household=next(pool),
                risk_types=[rng.choice(RISKS)],
                reporter_name="演示",
                actor=t,
                channel="demo",
            )
            if steps >= 1:
                clue = services.clue_transition(clue=clue, action="accept", actor=t)
            if steps >= 2:
                services.clue_transition(clue=clue, action="start_verification", actor=v)
            clues += 1
    closed = services.clue_transition(
        clue=services.clue_transition(
            clue=services.clue_create(
                source="screening", village=village, summary="集中排查：收入稳定", household=next(pool), actor=t
            ),
            action="accept",
            actor=t,
        ),
        action="close_duplicate",
        actor=t,
        reason="与前一条线索重复",
    )
    del closed
    plan = [
        [],
        ["sign_consent"],
        ["sign_consent", "record_home_verification"],
        ["sign_consent", "record_home_verification", "record_info_check", "appraise"],
        ["sign_consent", "record_home_verification", "record_info_check", "appraise", "post_notice"],
        ["sign_consent", "record_home_verification", "record_info_check", "appraise", "post_notice"],
    ]
    who = {"record_info_check": t}
    cases = 0
    for i, actions in enumerate(plan):
        household = next(pool)
        clue = services.clue_create(
            source="visit",
            village=village,
            summary=rng.choice(SUMMARIES),
            household=household,
            risk_types=["illness"],
            actor=v,
        )
        clue = services.clue_transition(clue=clue, action="accept", actor=t)
        clue = services.clue_transition(clue=clue, action="start_verification", actor=v)
        case = services.clue_start_identification(
            clue=clue,
            actor=t if i == 5 else v,
            category="marginal",
            risk_types=["illness"],
            monitoring_contact_name="王建国",
            green_channel=i == 5,
            reason="突发重病，先行帮扶" if i == 5 else "",
        )
        for action in actions:
            case = services.case_transition(case=case, action=action, actor=who.get(action, v), note="演示：已完成")
        if i == 1:  # an overdue case, for the work queue and escalation
            IdentificationCase.objects.filter(pk=case.pk).update(
                clock_started_on=today - timedelta(days=20),
                deadline_on=today - timedelta(days=5),
                step_started_on=today - timedelta(days=12),
            )
        if i == 4:
            notice = case.notices.get()
            services.objection_record(
                notice=notice, content="演示：村民反映该户有经营收入未申报", actor=v, raised_by_name="村民"
            )
        cases += 1
    episode = MonitoringEpisode.objects.filter(village_code=village.code, status=EpisodeStatus.MONITORED).first()
    if episode is not None:
        services.elimination_propose(
            episode=episode, mode="assisted", actor=v, exception_request="演示：不满足条件时申请县级特批"
        )
    return {"clues": clues + 1, "cases": cases}
