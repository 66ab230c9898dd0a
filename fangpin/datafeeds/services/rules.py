"""Warning rules: the shipped templates seeded, a rule switched on or off or edited for the actor's
own area (an effective-dated version of a rule of a level above), and its preview on a run's file."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log
from fangpin.core.errors import Forbidden, InvalidInput, NotFound
from fangpin.core.models import AuditAction
from fangpin.datafeeds.core import reading
from fangpin.datafeeds.core.compare import compare
from fangpin.datafeeds.core.rules import Rule, RuleError, validate_rule
from fangpin.datafeeds.core.sources.departments import BY_CODE
from fangpin.datafeeds.core.templates_rules import RETIRED_CONDITIONS, TEMPLATES
from fangpin.datafeeds.models import FeedRun, WarningRule
from fangpin.datafeeds.selectors import (
    HAS_LABOUR_VALUES,
    decisions_frame,
    registry_frame,
    rule_level_label,
    rule_params,
    scope_chain,
    to_rule,
    user_rule_scope,
)
from fangpin.datafeeds.services.common import county_area, period_end
from fangpin.registry.models import Person


def rules_seed() -> int:
    """Write the shipped templates as national rules (enabled) if they are not there yet, and bring a
    national row that still holds a condition an earlier release shipped up to the template."""
    made = 0
    for tpl in TEMPLATES:
        row, created = WarningRule.objects.get_or_create(
            code=tpl.code,
            scope_code="",
            effective_from=date(2024, 1, 1),
            defaults={**_rule_fields(tpl), "enabled": True},
        )
        made += int(created)
        if not created and row.condition in RETIRED_CONDITIONS.get(tpl.code, ()):
            _upgrade_template(row, tpl)
    return made


def _upgrade_template(row: WarningRule, tpl: Rule) -> None:
    with transaction.atomic():
        old = row.condition
        row.condition = tpl.condition
        row.save(update_fields=["condition"])
        audit_log(
            actor=Actor.system(),
            action=AuditAction.CONFIG,
            object_type="datafeeds.warningrule",
            object_id=row.pk,
            object_label=row.code,
            changes={"condition": [old, tpl.condition]},
            reason="随版本更新的全国预警规则模板",
        )


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
    probe = to_rule(rule)
    today = timezone.localdate()
    try:
        result = compare(
            path=Path(run.stored_path),
            source=BY_CODE[run.source],
            registry=registry_frame(scope_code=run.scope_code),
            decisions=decisions_frame(source=run.source),
            rules=[probe],
            params=rule_params([probe], area=county_area(run), on=period_end(run.period)),
            period=run.period,
            today=today,
            labour_values=HAS_LABOUR_VALUES,
        )
    except (RuleError, reading.FeedFileError) as exc:
        raise InvalidInput(str(exc)) from exc
    households = result.hit_households
    rows = [(h.person_id, h.metric_value) for h in result.hits[:sample]]
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
