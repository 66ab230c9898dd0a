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


# Assistance, data-quality report and dashboard (fangpin.assistance, fangpin.reports).
CATALOG.update(
    {
        spec.key: spec
        for spec in [
            ParamSpec(
                key="measure_deadline_days",
                label=_("帮扶措施落实时限（识别后）"),
                unit="calendar_days",
                kind="days",
                default=30,
                source="DOMAIN §3.6；[C] 识别监测1个月后未落实帮扶措施",
            ),
            ParamSpec(
                key="measure_due_soon_days",
                label=_("帮扶措施临期提醒天数"),
                unit="calendar_days",
                kind="days",
                default=7,
                source="fangpin 默认值（无全国规定）",
            ),
            ParamSpec(
                key="dq_blocking_checks",
                label=_("数据质量检查：阻断级规则"),
                unit="",
                kind="text",
                default="DQ-02,DQ-03,DQ-04,DQ-05",
                source="DOMAIN §4.14（CONFIG：严重程度为提示或阻断）",
                note=_("以英文逗号分隔的检查编号（如 DQ-02,DQ-05）；未列出的检查为“提示”级。"),
            ),
            ParamSpec(
                key="premium_subsidy_cutoff_month",
                label=_("医保个人缴费补贴截止月份（DQ-15）"),
                unit="",
                kind="integer",
                default=2,
                source="DOMAIN §4.6.2（UNCLEAR：各地医保缴费截止时间不同，[C] 示例为2月）",
                note=_("1–12。当年该月底前识别的监测户应有“参加城乡居民基本医疗保险个人缴费补贴”措施。"),
            ),
            ParamSpec(
                key="dq_high_income_line",
                label=_("识别时人均纯收入偏高核查线（DQ-12）"),
                unit="yuan_per_year",
                kind="amount",
                default="20000",
                source="DOMAIN §4.14 DQ-12 [C]",
            ),
            ParamSpec(
                key="dashboard_min_cell",
                label=_("村级统计小数抑制阈值"),
                unit="count",
                kind="integer",
                default=5,
                source="fangpin 默认值（隐私保护：村级小于该值的非零计数不显示）",
            ),
            ParamSpec(
                key="evidence_max_mb",
                label=_("帮扶措施佐证材料大小上限"),
                unit="",
                kind="integer",
                default=10,
                source="fangpin 默认值（MB）",
            ),
        ]
    }
)
