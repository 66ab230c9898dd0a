"""Risk clues from every channel: creation (single, bulk, public self-report),
the clue state machine, and feedback to the source. [DOMAIN §2.6, §3.1]"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from fangpin.areas.models import Area, AreaLevel
from fangpin.core.actor import Actor
from fangpin.core.bulk import bulk_insert
from fangpin.core.errors import Conflict, DomainError, Forbidden, InvalidInput, TransitionRefused
from fangpin.core.idnumber import IdNumberError, parse
from fangpin.core.masking import mask_text
from fangpin.core.messages import id_message
from fangpin.core.models import Channel
from fangpin.core.scoping import visible
from fangpin.engine.events import record_events_many
from fangpin.engine.machine import Deadline, Guard, Machine, register
from fangpin.engine.service import Step, transition
from fangpin.monitoring import rules, workflow
from fangpin.monitoring.choices import ClueSource, ClueStatus, SmsStatus
from fangpin.monitoring.models import CaseEvent, MonitoringEpisode, RiskClue, SmsOutbox
from fangpin.monitoring.services.common import (
    add_limit,
    new_code,
    param,
    record_event,
    require_in_area,
    role_of,
    time_limit,
    today,
)
from fangpin.policy.selectors import policy_get_many, work_calendar
from fangpin.registry.models import Household, Person

CLUE_CREATORS = {"county_admin", "county_staff", "township_staff", "village_cadre", "grid_worker", "department_liaison"}
# Sources whose reporter is a person with a phone: they hear back by SMS when the clue closes.
SMS_SOURCES = (ClueSource.SELF_REPORT, ClueSource.HOTLINE)
SMS_FEEDBACK = "【防返贫监测】您反映的情况（查询码{code}）已办结：{outcome}。{feedback}"


def _validate(
    *,
    source: str,
    village: Any,
    summary: str,
    household: Household | None,
    person: Person | None,
    risk_types: Iterable[str],
    reporter_phone: str,
) -> tuple[Household | None, list[str]]:
    problems: list[str] = []
    if source not in ClueSource.values:
        problems.append(f"线索来源：无效的取值“{source}”")
    if not isinstance(village, Area) or village.level != AreaLevel.VILLAGE:
        problems.append("所在村：须为一个村")
    summary = (summary or "").strip()
    if not summary:
        problems.append("线索内容：不能为空")
    elif len(summary) > 2000:
        problems.append("线索内容：不能超过2000字")
    risks = list(risk_types)
    problems += [p for p in rules.risk_type_problems(risks, "-") if not p.startswith("风险类型：至少")]
    if person is not None:
        if household is not None and person.household_id != household.pk:
            problems.append("涉及人员：不是所选农户的成员")
        household = household or person.household
    if household is not None and isinstance(village, Area) and household.village_code != village.code:
        problems.append("农户：不在所选村")
    digits = "".join(ch for ch in (reporter_phone or "") if ch.isdigit())
    if reporter_phone and not 7 <= len(digits) <= 12:
        problems.append("反映人电话：号码位数不对")
    return household, problems


def _new_clue(
    *,
    source: str,
    village: Area,
    summary: str,
    household: Household | None,
    person: Person | None,
    risk_types: Iterable[str],
    source_ref: str,
    reporter_name: str,
    reporter_phone: str,
    actor: Actor,
    channel: str,
    received: Any,
    dues: dict[tuple[int, Any], tuple[Any, Any]] | None = None,
) -> RiskClue:
    day = timezone.localdate(received)
    cache = dues if dues is not None else {}
    if (village.pk, day) not in cache:
        cache[(village.pk, day)] = (
            add_limit(day, time_limit("clue_accept_limit", area=village, on=day), area=village),
            add_limit(day, time_limit("clue_verify_limit", area=village, on=day), area=village),
        )
    accept_due, verify_due = cache[(village.pk, day)]
    return RiskClue(
        tracking_code=new_code("FP"),
        source=source,
        source_ref=(source_ref or "").strip()[:64],
        channel=channel,
        village=village,
        village_code=village.code,
        household=household,
        person=person,
        summary=summary.strip(),
        risk_types=list(risk_types),
        reporter_name=(reporter_name or "").strip()[:50],
        reporter_phone=(reporter_phone or "").strip()[:20],
        received_at=received,
        accept_due=accept_due.on,
        accept_due_provisional=accept_due.provisional,
        verify_due=verify_due.on,
        verify_due_provisional=verify_due.provisional,
        created_by=actor.user,
    )


def _check_creator(actor: Actor, village: Any, household: Household | None = None) -> None:
    if actor.user is not None:
        if actor.user.role not in CLUE_CREATORS:
            raise Forbidden("您的角色不能登记风险线索。")
        role_of(actor)
        require_in_area(actor, village, household)


def clue_create(
    *,
    source: str,
    village: Area,
    summary: str,
    household: Household | None = None,
    person: Person | None = None,
    risk_types: Iterable[str] = (),
    source_ref: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    actor: Actor | None = None,
    channel: str = "page",
    idempotency_key: str | None = None,
) -> RiskClue:
    """Record one risk clue routed to its village, with acceptance and
    verification deadlines. Idempotent on (source, source_ref) and on the
    idempotency key. [DOMAIN §2.6, §3.1; CONFIG clue_accept_limit, clue_verify_limit]"""
    actor = actor or Actor.system()
    _check_creator(actor, village, household or (person.household if person is not None else None))
    household, problems = _validate(
        source=source,
        village=village,
        summary=summary,
        household=household,
        person=person,
        risk_types=risk_types,
        reporter_phone=reporter_phone,
    )
    if problems:
        raise InvalidInput("线索信息有误：" + "；".join(problems), reasons=problems)
    idempotency_key = _caller_key(actor, village, idempotency_key)
    existing = _existing(actor, source, source_ref, idempotency_key)
    if existing is not None:
        return existing
    clue = _new_clue(
        source=source,
        village=village,
        summary=summary,
        household=household,
        person=person,
        risk_types=risk_types,
        source_ref=source_ref,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        actor=actor,
        channel=channel,
        received=timezone.now(),
    )
    clue.idempotency_key = idempotency_key or None
    with transaction.atomic():
        try:
            with transaction.atomic():
                clue.save()
        except IntegrityError:
            again = _existing(actor, source, source_ref, idempotency_key)
            if again is not None:
                return again
            raise
        record_event(
            machine="clue",
            obj=clue,
            action="create",
            from_state="",
            to_state=clue.status,
            actor=actor,
            payload={"source": source},
            title=f"新风险线索 {clue.tracking_code}（{village.name}）",
            url=reverse("monitoring:clue-detail", args=[clue.pk]),
        )
    return clue


# A source number another area (or a clue the caller cannot see) already holds: refused without
# saying whose it is or what it says.
REF_TAKEN = "来源编号“{ref}”已被登记过，不能重复登记；如确属新线索，请使用其他来源编号或不填。"


def _caller_key(actor: Actor, village: Area, key: str | None) -> str | None:
    """The stored idempotency key: the caller's key hashed with who calls (the user; for the
    anonymous self-report the client address) and the village, so two callers' equal keys never
    meet and a replay finds only the caller's own clue. [issue 12 §2]"""
    key = (key or "").strip()
    if not key:
        return None
    user = actor.user
    caller = f"user:{user.pk}" if user is not None else f"{actor.channel}:{actor.ip}"
    return hashlib.sha256(f"{caller}|{village.code}|{key}".encode()).hexdigest()


def _sees(actor: Actor, clue: RiskClue) -> bool:
    """Whether a matched clue may be handed back: the system sees all; a user only what they may read."""
    if actor.user is None:
        return actor.channel != Channel.PUBLIC
    return visible(RiskClue.objects.filter(pk=clue.pk), actor.user).exists()


def _existing(actor: Actor, source: str, source_ref: str, key: str | None) -> RiskClue | None:
    """The clue this request repeats, if any; a (source, source_ref) match outside the caller's
    scope is a refusal that reveals nothing of it (the number is unique across all areas)."""
    if key:
        found = RiskClue.objects.filter(idempotency_key=key).first()
        if found is not None:
            return found  # the key is the caller's own (_caller_key)
    ref = (source_ref or "").strip()[:64]
    if ref:
        found = RiskClue.objects.filter(source=source, source_ref=ref).first()
        if found is not None:
            if not _sees(actor, found):
                raise Conflict(REF_TAKEN.format(ref=ref))
            return found
    return None


def clue_create_many(*, items: Iterable[Mapping[str, Any]], actor: Actor, channel: str) -> list[RiskClue]:
    """Bulk version of `clue_create` (monthly department comparison): the same
    validation, one transaction, set-based reads and inserts — households of the
    persons in one query, the scope check once per distinct village, the deadlines
    once per distinct (village, day) from one policy read per parameter, bulk
    inserts of clues, timeline, audit and notifications.  Items already recorded
    (same source and source_ref) are returned, not duplicated. [DOMAIN §4.4, S002]"""
    items = list(items)
    allowed = {"source", "village", "summary", "household", "person", "risk_types", "source_ref"}
    allowed |= {"reporter_name", "reporter_phone"}
    _load_households(items)
    problems: list[str] = []
    prepared: list[dict[str, Any]] = []
    checked: dict[tuple[Any, Any], str | None] = {}  # scope check per distinct village (and grid household)
    grid_user = actor.user is not None and getattr(actor.user.scope_area, "level", None) == "grid"
    for index, item in enumerate(items, start=1):
        unknown = set(item) - allowed
        if unknown:
            problems.append(f"第{index}条：未知字段 {'、'.join(sorted(unknown))}")
            continue
        village, household = item.get("village"), item.get("household")
        if household is None and item.get("person") is not None:
            household = item["person"].household
        key = (getattr(village, "pk", village), getattr(household, "pk", None) if grid_user else None)
        if key not in checked:
            try:
                _check_creator(actor, village, household)
                checked[key] = None
            except DomainError as exc:  # reported per item
                checked[key] = str(getattr(exc, "message", exc))
        if checked[key] is not None:
            problems.append(f"第{index}条：{checked[key]}")
            continue
        household, item_problems = _validate(
            source=item.get("source", ""),
            village=village,
            summary=item.get("summary", ""),
            household=item.get("household"),
            person=item.get("person"),
            risk_types=item.get("risk_types", ()),
            reporter_phone=item.get("reporter_phone", ""),
        )
        problems += [f"第{index}条：{p}" for p in item_problems]
        prepared.append({**item, "household": household})
    if problems:
        raise InvalidInput(f"共{len(problems)}处问题，未登记任何线索", reasons=problems)
    refs = {(i["source"], str(i.get("source_ref", "")).strip()[:64]) for i in prepared if i.get("source_ref")}
    existing: dict[tuple[str, str], RiskClue] = {}
    ref_list = sorted(refs)
    for start in range(0, len(ref_list), 5000):
        chunk = ref_list[start : start + 5000]
        existing.update(
            ((c.source, c.source_ref), c)
            for c in RiskClue.objects.filter(source__in={s for s, _ in chunk}, source_ref__in=[r for _, r in chunk])
        )
    if actor.user is not None and existing:
        # Only a match the caller may read is handed back; any other is refused, naming no clue.
        matched = RiskClue.objects.filter(pk__in=[c.pk for c in existing.values()])
        readable = set(visible(matched, actor.user).values_list("pk", flat=True))
        taken = sorted(ref for (_, ref), c in existing.items() if c.pk not in readable)
        if taken:
            raise Conflict(REF_TAKEN.format(ref="、".join(taken[:20])))
    now = timezone.now()
    dues = _deadlines([i["village"] for i in prepared], timezone.localdate(now))
    new: list[RiskClue] = []
    result: list[RiskClue] = []
    seen: dict[tuple[str, str], RiskClue] = {}
    for item in prepared:
        key = (item["source"], str(item.get("source_ref", "")).strip()[:64])
        if key[1] and (key in existing or key in seen):
            result.append(existing.get(key) or seen[key])
            continue
        clue = _new_clue(
            source=item["source"],
            village=item["village"],
            summary=item["summary"],
            household=item.get("household"),
            person=item.get("person"),
            risk_types=item.get("risk_types", ()),
            source_ref=key[1],
            reporter_name=item.get("reporter_name", ""),
            reporter_phone=item.get("reporter_phone", ""),
            actor=actor,
            channel=channel,
            received=now,
            dues=dues,
        )
        if key[1]:
            seen[key] = clue
        new.append(clue)
        result.append(clue)
    with transaction.atomic():
        _insert_clues(new)
        _bulk_events(new, actor)
    return result


def _load_households(items: list[Mapping[str, Any]]) -> None:
    """The households of persons given without one, in one query (not one per item)."""
    persons = [
        i["person"]
        for i in items
        if isinstance(i, Mapping) and i.get("household") is None and isinstance(i.get("person"), Person)
    ]
    missing = {p.household_id for p in persons if not Person.household.is_cached(p)}
    if not missing:
        return
    households = Household.objects.in_bulk(missing)
    for person in persons:
        if person.household_id in households and not Person.household.is_cached(person):
            person.household = households[person.household_id]


def _deadlines(villages: list[Any], day: Any) -> dict[tuple[int, Any], tuple[Any, Any]]:
    """Acceptance and verification due dates per distinct village for clues received on `day`:
    each time limit read once for all villages, each (day, limit) counted once."""
    distinct = list({v.pk: v for v in villages if isinstance(v, Area)}.values())
    if not distinct:
        return {}
    accept = policy_get_many("clue_accept_limit", areas=distinct, on=day)
    verify = policy_get_many("clue_verify_limit", areas=distinct, on=day)
    counted: dict[Any, Any] = {}

    def due(raw: Any, village: Area) -> Any:
        # Counties may enter their own holiday schedule: count once per (limit, calendar).
        limit, calendar = rules.TimeLimit.of(raw), work_calendar(area=village)
        if (limit, calendar) not in counted:
            counted[(limit, calendar)] = rules.add_limit(day, limit, calendar)
        return counted[(limit, calendar)]

    return {(v.pk, day): (due(accept[v.pk].value, v), due(verify[v.pk].value, v)) for v in distinct}


def _insert_clues(clues: list[RiskClue]) -> None:
    """Set-based insert (core.bulk) and the new ids read back by tracking code."""
    fields = [f for f in RiskClue._meta.concrete_fields if not f.primary_key]
    bulk_insert(RiskClue, ({f.attname: getattr(c, f.attname) for f in fields} for c in clues))
    pk_of: dict[str, int] = {}
    codes = [c.tracking_code for c in clues]
    for start in range(0, len(codes), 5000):
        chunk = codes[start : start + 5000]
        pk_of.update(RiskClue.objects.filter(tracking_code__in=chunk).values_list("tracking_code", "pk"))
    for clue in clues:
        clue.pk = pk_of[clue.tracking_code]
        clue._state.adding = False


def _bulk_events(clues: list[RiskClue], actor: Actor) -> None:
    """Timeline, audit and one summary notification per recipient for a batch (the engine's writer)."""
    record_events_many(
        machine="clue",
        objs=clues,
        actor=actor,
        action="create",
        payload=lambda c: {"source": c.source, "batch": True},
        summary_title=lambda n: f"新增{n}条风险线索待受理",
        url=reverse("monitoring:clue-list"),
    )


def clue_self_report(
    *,
    village: Area,
    reporter_name: str,
    id_number: str,
    reporter_phone: str,
    summary: str,
    risk_types: Iterable[str] = (),
    client_address: str = "",
    idempotency_key: str | None = None,
    consent: bool = False,
) -> RiskClue:
    """A farmer's own report from the public page: validated, rate-limited per
    phone and per address, an unverified clue routed to the village; never
    changes the registry. [DOMAIN §2.6, L-Anhui 一码申报; CONFIG self_report_limit_*]"""
    problems = []
    if not (reporter_name or "").strip():
        problems.append("姓名：不能为空")
    try:
        number = parse(id_number).number
    except IdNumberError as exc:
        number = ""
        problems.append("身份证号：" + id_message(exc.code))
    digits = "".join(ch for ch in (reporter_phone or "") if ch.isdigit())
    if len(digits) != 11 or not digits.startswith("1"):
        problems.append("手机号：须为11位手机号码")
    if not consent:
        problems.append("同意告知：请阅读告知并勾选同意，否则无法受理申报")
    if problems:
        raise InvalidInput("申报信息有误：" + "；".join(problems), reasons=problems)
    actor = Actor(user=None, channel=Channel.PUBLIC, ip=client_address)
    found = _existing(actor, ClueSource.SELF_REPORT, "", _caller_key(actor, village, idempotency_key))
    if found is not None:
        return found  # the same reporter's repeat from the same address for the same village
    since = timezone.now() - timedelta(days=1)
    recent = RiskClue.objects.filter(source=ClueSource.SELF_REPORT, received_at__gte=since)
    if recent.filter(reporter_phone=digits).count() >= int(param("self_report_limit_per_phone", area=village)):
        raise InvalidInput("该手机号今日提交的申报已达上限，请明天再试，或直接联系村委会。")
    limit_address = int(param("self_report_limit_per_address", area=village))
    if client_address and recent.filter(client_address=client_address).count() >= limit_address:
        raise InvalidInput("当前网络今日提交的申报已达上限，请明天再试，或直接联系村委会。")
    person = Person.objects.filter(id_number=number, household__village_code=village.code).first()
    with transaction.atomic():
        return _self_report_create(
            village=village,
            summary=summary,
            person=person,
            risk_types=risk_types,
            reporter_name=reporter_name,
            digits=digits,
            number=number,
            client_address=client_address,
            actor=actor,
            idempotency_key=idempotency_key,
        )


def _self_report_create(
    *,
    village: Area,
    summary: str,
    person: Person | None,
    risk_types: Iterable[str],
    reporter_name: str,
    digits: str,
    number: str,
    client_address: str,
    actor: Actor,
    idempotency_key: str | None,
) -> RiskClue:
    clue = clue_create(
        source=ClueSource.SELF_REPORT,
        village=village,
        summary=summary,
        person=person,
        risk_types=risk_types,
        reporter_name=reporter_name,
        reporter_phone=digits,
        actor=actor,
        channel="public",
        idempotency_key=idempotency_key,
    )
    if not clue.reporter_id_number:
        consent_at = timezone.now()
        RiskClue.objects.filter(pk=clue.pk).update(
            reporter_id_number=number, client_address=client_address[:45], reporter_consent_at=consent_at
        )
        clue.reporter_id_number, clue.client_address, clue.reporter_consent_at = number, client_address[:45], consent_at
    return clue


def clue_public_status(*, tracking_code: str, id_last4: str) -> RiskClue | None:
    """The clue for the public status check: code AND last four ID digits must match."""
    code = (tracking_code or "").strip().upper()
    last4 = (id_last4 or "").strip().upper()
    if len(last4) != 4 or not code:
        return None
    clue = RiskClue.objects.filter(tracking_code=code, source=ClueSource.SELF_REPORT).first()
    if clue is None or not clue.reporter_id_number.upper().endswith(last4):
        return None
    return clue


def _link_household(step: Step) -> list[str]:
    household = step.inputs.get("household")
    if household is None:
        return []
    if household.village_code != step.obj.village_code:
        raise InvalidInput("农户：不在线索所在村")
    step.obj.household = household
    return ["household"]


def _household_linked(step: Step) -> list[str]:
    return [] if step.obj.household_id is not None else ["请先关联农户（在农户信息库中找到该户）再启动识别程序。"]


def _close(step: Step) -> list[str]:
    """The outcome and the feedback to the source; a reporter with a phone hears back by SMS
    (an outbox row written with the event, sent by the sweep)."""
    clue = step.obj
    clue.outcome = workflow.CLUE_OUTCOME_OF_ACTION[step.row.action]
    clue.closed_at = timezone.now()
    clue.feedback = str(step.inputs.get("feedback") or step.reason).strip()
    clue.feedback_at = clue.closed_at
    if (
        clue.outcome == "already_monitored"
        and clue.household_id
        and not MonitoringEpisode.objects.filter(household_id=clue.household_id).exists()
    ):
        raise TransitionRefused("该户没有监测记录，不能以“已是监测对象”办结。")
    if clue.source in SMS_SOURCES and clue.reporter_phone:
        step.after_event.append(lambda event: _sms_feedback(clue, event))
    return ["outcome", "closed_at", "feedback", "feedback_at"]


def _sms_feedback(clue: RiskClue, event: CaseEvent) -> None:
    SmsOutbox.objects.create(
        event=event,
        village_code=clue.village_code,
        phone=clue.reporter_phone,
        body=SMS_FEEDBACK.format(
            code=clue.tracking_code, outcome=clue.get_outcome_display(), feedback=mask_text(clue.feedback)[:120]
        )[:300],
        status=SmsStatus.PENDING,
    )


CLUE = register(
    Machine(
        name="clue",
        label="风险线索",
        rows=workflow.CLUE_TRANSITIONS,
        action_labels=workflow.ACTION_LABELS,
        model=RiskClue,
        states=tuple(ClueStatus.values),
        closed=frozenset({ClueStatus.CLOSED}),
        guards={"household_linked": Guard(_household_linked, list_reasons=False)},
        effects={"close": _close},
        deadlines=(
            Deadline(
                "accept",
                "受理时限",
                "clue_accept_limit",
                start="received_at",
                due="accept_due",
                states=frozenset({ClueStatus.RECEIVED}),
            ),
            Deadline("verify", "核实时限", "clue_verify_limit", start="received_at", due="verify_due"),
        ),
        reference=lambda clue: str(clue.tracking_code),
        scope=lambda clue: (clue.village, clue.household),
        title=lambda clue, action: f"风险线索 {clue.tracking_code}：{workflow.ACTION_LABELS[action]}",
        url=lambda clue: reverse("monitoring:clue-detail", args=[clue.pk]),
        prepare=_link_household,
        today=today,
    )
)


def clue_transition(
    *,
    clue: RiskClue,
    action: str,
    actor: Actor,
    reason: str = "",
    feedback: str = "",
    household: Household | None = None,
    expected_version: int | None = None,
) -> RiskClue:
    """Move a clue through its table (the engine); closing records the outcome and the
    feedback to the source (SMS outbox for a self-report). [DOMAIN §3.1]"""
    locked: RiskClue = transition(
        machine=CLUE,
        obj=clue,
        action=action,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        inputs={"feedback": feedback, "household": household},
    )
    return locked


def clue_open_for(household_id: int) -> list[RiskClue]:
    return list(RiskClue.objects.filter(household_id=household_id).exclude(status=ClueStatus.CLOSED))


__all__ = [
    "clue_create",
    "clue_create_many",
    "clue_public_status",
    "clue_self_report",
    "clue_transition",
    "today",
]
