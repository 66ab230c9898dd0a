"""The policy parameters fangpin knows, with their units and value shapes.

Values live in the PolicyParameter table (effective-dated, area-scoped); the
national defaults below are only what `fangpin seed-policy` (run by migrate)
writes as the first national row of each key, with their source tag.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ParamSpec:
    key: str
    label: Any
    unit: str
    kind: str  # "amount", "integer", "income_line", "days", "text", "months"
    default: Any
    source: str
    note: Any = ""
    choices: tuple[str, ...] = field(default_factory=tuple)


UNITS = {
    "yuan_per_year": _("元/人·年"),
    "yuan_per_month": _("元/人·月"),
    "yuan": _("元"),
    "calendar_days": _("自然日"),
    "working_days": _("工作日"),
    "months": _("个月"),
    "ratio": _("比例"),
    "count": _("个"),
}

CATALOG: dict[str, ParamSpec] = {
    spec.key: spec
    for spec in [
        ParamSpec(
            key="monitoring_income_threshold",
            label=_("防止返贫（致贫）监测收入标准"),
            unit="yuan_per_year",
            kind="income_line",
            # 2021 national floor: 1.5 x the poverty-alleviation-period line [N3].
            default={"mode": "fixed_amount", "amount": "6000"},
            source="N3 中农组发〔2021〕7号; 各省年度调整通知",
            note=_("固定金额，或农村低保标准的倍数（按年计算）。省、市、县可按年度分别设定。"),
        ),
        ParamSpec(
            key="dibao_standard_monthly",
            label=_("农村低保标准"),
            unit="yuan_per_month",
            kind="amount",
            default="600",
            source="各地民政部门公布的农村低保标准（示例值，须按本地设定）",
        ),
        ParamSpec(
            key="inclusion_reference_income_formula",
            label=_("纳入监测收入参考值口径"),
            unit="",
            kind="text",
            default="net_minus_out_of_pocket",
            source="DOMAIN §4.1 R-MON-3（UNCLEAR：未见官方公式）",
            choices=("net", "net_minus_out_of_pocket", "net_plus_claims_minus_out_of_pocket"),
            note=_(
                "net：家庭纯收入；net_minus_out_of_pocket：纯收入减合规自付支出；"
                "net_plus_claims_minus_out_of_pocket：纯收入加理赔收入再减合规自付支出。"
            ),
        ),
        ParamSpec(
            key="household_size_rule",
            label=_("人均收入计算人口口径"),
            unit="",
            kind="text",
            default="active_members",
            source="N4 以户籍为依据，统筹实际居住和共享收支",
            choices=("active_members", "snapshot_size"),
            note=_("active_members：在册家庭成员数；snapshot_size：收支记录中填报的共同生活人口数。"),
        ),
        # Thresholds of the department warning rules (DOMAIN §4.4; read by fangpin.datafeeds).
        *[
            ParamSpec(key=key, label=label, unit=unit, kind=kind, default=default, source=source)
            for key, label, unit, kind, default, source in (
                ("med_oop_threshold_escaped", _("脱贫/监测人口年度累计自付医疗费用预警线"), "yuan", "amount", "5000",
                 "L-xiexiebang W-MED-1"),
                ("med_oop_threshold_other", _("其他农村人口年度累计自付医疗费用预警线"), "yuan", "amount", "20000",
                 "L-xiexiebang W-MED-1"),
                ("med_outpatient_month_threshold", _("门诊特殊病当月自付预警线"), "yuan", "amount", "500",
                 "L-xiexiebang W-MED-1"),
                ("med_oop_ratio_escaped", _("脱贫人口自付费用占上年农村居民人均可支配收入的比例"), "ratio", "amount",
                 "0.5", "L-阳原 W-MED-2"),
                ("rural_income_per_capita_last_year", _("上年本省农村居民人均可支配收入"), "yuan_per_year", "amount",
                 "20133", "省统计公报（示例值，须按本省设定）"),
                ("edu_self_paid_threshold", _("高中/中职学年自付费用预警线"), "yuan", "amount", "10000",
                 "L-xiexiebang W-EDU-2"),
                ("water_outage_days_threshold", _("停水预警天数"), "calendar_days", "days", 30, "DOMAIN §4.4 W-WATER-1"),
                ("disability_grade_threshold", _("残疾等级预警线（含）"), "", "integer", 2, "UNCLEAR（示例值）"),
                ("agri_loss_threshold", _("农业损失预警金额"), "yuan", "amount", "10000", "L-旺苍（示例值）"),
                ("warning_verification_days", _("部门预警核实时限"), "calendar_days", "days", 15,
                 "DOMAIN §3.7 CONFIG（未见全国统一时限）"),
            )
        ],
    ]
}


def validate_value(spec: ParamSpec, value: Any) -> Any:
    """Normalise a value for `spec`; raise ValueError with a Chinese message."""
    if spec.kind == "income_line":
        if not isinstance(value, dict) or value.get("mode") not in ("fixed_amount", "multiple_of_dibao"):
            raise ValueError(str(_("收入标准须为固定金额或低保标准的倍数")))
        number_key = "amount" if value["mode"] == "fixed_amount" else "multiple"
        return {"mode": value["mode"], number_key: str(_positive(value.get(number_key)))}
    if spec.kind == "amount":
        return str(_positive(value))
    if spec.kind in ("integer", "days", "months"):
        try:
            number = int(str(value))
        except ValueError as exc:
            raise ValueError(str(_("须为整数"))) from exc
        if number < 0:
            raise ValueError(str(_("不能为负数")))
        return number
    if spec.choices and value not in spec.choices:
        raise ValueError(str(_("取值须为：")) + "、".join(spec.choices))
    return value


def _positive(raw: Any) -> Decimal:
    try:
        number = Decimal(str(raw))
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(str(_("须为数字"))) from exc
    if number <= 0:
        raise ValueError(str(_("须大于0")))
    return number
