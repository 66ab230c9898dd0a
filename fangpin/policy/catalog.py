"""The policy parameters fangpin knows, with their units and value shapes.

Values live in the PolicyParameter table (effective-dated, area-scoped); the
national defaults below are only what `fangpin seed-policy` (run by migrate)
writes as the first national row of each key, with their source tag.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ParamSpec:
    key: str
    label: Any
    unit: str
    kind: str  # "amount", "integer", "income_line", "days", "text", "months", "code_list", "date", "share"
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
                "识别纳入的核对清单以该参考值（人均）与监测收入标准比较；风险消除仍看人均纯收入。"
            ),
        ),
        ParamSpec(
            key="household_size_rule",
            label=_("人均收入计算人口口径"),
            unit="",
            kind="text",
            # N4: the household is the registered one corrected for actual residence
            # and a shared budget, i.e. the co-resident count entered with each snapshot.
            default="snapshot_size",
            source="N4 以户籍为依据，统筹实际居住和共享收支；DOMAIN §2.5（CONFIG）",
            choices=("active_members", "snapshot_size"),
            note=_(
                "snapshot_size：收支记录中填报的共同生活人口数（默认）；active_members：户内在册家庭成员数。"
                "用于人均纯收入和人均纳入监测收入参考值。"
            ),
        ),
        # --- Monitoring (issue 3): time limits carry their unit in the value. ---
        ParamSpec(
            key="identification_time_limit",
            label=_("识别认定办结时限（自首次线索起）"),
            unit="",
            kind="time_limit",
            default={"value": 15, "unit": "calendar_days"},
            source="S002；L-林州“一般不超过15天”；海南、安徽“原则上20个工作日”",
            note=_("填写如“15 自然日”或“20 工作日”。工作日按国家法定节假日和调休安排计算。"),
        ),
        ParamSpec(
            key="identification_step_limits",
            label=_("识别认定各环节时限"),
            unit="calendar_days",
            kind="step_limits",
            default={
                "applied": 2,
                "verifying": 5,
                "appraised": 2,
                "notice": 2,
                "township_reviewed": 3,
                "county_approved": 2,
                "announced": 2,
            },
            source="DOMAIN §3.2（各环节时限为本地设定，CONFIG）",
            note=_("格式：环节=天数，逗号分隔；公示环节从公示截止日起算。各环节时限不超过总时限。"),
        ),
        ParamSpec(
            key="elimination_time_limit",
            label=_("风险消除程序办结时限"),
            unit="",
            kind="time_limit",
            default={"value": 30, "unit": "calendar_days"},
            source="DOMAIN §3.4（未见全国统一时限，本地设定）",
        ),
        ParamSpec(
            key="clue_accept_limit",
            label=_("线索受理时限"),
            unit="",
            kind="time_limit",
            default={"value": 2, "unit": "calendar_days"},
            source="L-枞阳：乡镇2日内受理线上申报",
        ),
        ParamSpec(
            key="clue_verify_limit",
            label=_("线索核实时限（自接收起）"),
            unit="",
            kind="time_limit",
            default={"value": 5, "unit": "working_days"},
            source="L-Gansu 2023 一键报贫：5个工作日；安徽2个工作日",
        ),
        ParamSpec(
            key="notice_min_days",
            label=_("公示最短天数"),
            unit="",
            kind="time_limit",
            default={"value": 5, "unit": "calendar_days"},
            source="R-ID-3；L-永城、L-林州、L-岳普湖（部分地方为5个工作日）",
        ),
        ParamSpec(
            key="due_soon_days",
            label=_("临期提醒提前天数"),
            unit="calendar_days",
            kind="days",
            default=2,
            source="本地设定（CONFIG）",
        ),
        ParamSpec(
            key="escalation_step_days",
            label=_("超期逐级上报间隔"),
            unit="calendar_days",
            kind="days",
            default=3,
            source="L-Anhui 2022 超期橙色预警、逐级督办（间隔为本地设定）",
            note=_("超期即提醒上一级；每再超过该天数，再上报一级。"),
        ),
        ParamSpec(
            key="elimination_min_months",
            label=_("帮扶消除最短监测时间"),
            unit="months",
            kind="months",
            default=6,
            source="R-EL-1 L-弋江“识别认定监测对象时间至少半年以上”",
        ),
        ParamSpec(
            key="income_stable_months",
            label=_("收入稳定高于监测标准的最短时间"),
            unit="months",
            kind="months",
            default=6,
            source="DOMAIN §4.5.1 “原则上不得低于半年” L-弋江、L-枞阳",
        ),
        ParamSpec(
            key="post_elimination_follow_up_months",
            label=_("风险消除后跟踪期"),
            unit="months",
            kind="months",
            default=12,
            source="S000“已消除风险户设立一年跟踪期”",
        ),
        ParamSpec(
            key="long_unresolved_months",
            label=_("长期未消除分析期限"),
            unit="months",
            kind="months",
            default=12,
            source="S002；L-张湾 2022：纳入1年以上未消除逐户分析",
        ),
        ParamSpec(
            key="natural_elimination_reasons",
            label=_("自然消除原因代码表"),
            unit="",
            kind="code_list",
            default="recovered=患病成员康复；deceased=致贫风险成员去世；graduated=就学成员毕业就业；"
            "merged_moved=合户或迁出；other=其他",
            source="DOMAIN §4.5.5（UNCLEAR：未见全国统一代码表，本地设定；须附情况说明）",
            note=_(
                "格式：代码=名称，以分号分隔；停用的原因写作“代码=名称（停用）”——停用后不能再用于新的自然消除，"
                "已有记录仍显示原名称。代码为小写英文字母、数字或下划线，最长14位。"
            ),
        ),
        ParamSpec(
            key="self_report_limit_per_phone",
            label=_("自主申报每个手机号每日上限"),
            unit="count",
            kind="integer",
            default=3,
            source="SECURITY（防刷），本地设定",
        ),
        ParamSpec(
            key="self_report_limit_per_address",
            label=_("自主申报每个网络地址每日上限"),
            unit="count",
            kind="integer",
            default=20,
            source="SECURITY（防刷），本地设定",
        ),
        # Thresholds of the department warning rules (DOMAIN §4.4; read by fangpin.datafeeds).
        *[
            ParamSpec(key=key, label=label, unit=unit, kind=kind, default=default, source=source)
            for key, label, unit, kind, default, source in (
                (
                    "med_oop_threshold_escaped",
                    _("脱贫/监测人口年度累计自付医疗费用预警线"),
                    "yuan",
                    "amount",
                    "5000",
                    "L-xiexiebang W-MED-1",
                ),
                (
                    "med_oop_threshold_other",
                    _("其他农村人口年度累计自付医疗费用预警线"),
                    "yuan",
                    "amount",
                    "20000",
                    "L-xiexiebang W-MED-1",
                ),
                (
                    "med_outpatient_month_threshold",
                    _("门诊特殊病当月自付预警线"),
                    "yuan",
                    "amount",
                    "500",
                    "L-xiexiebang W-MED-1",
                ),
                (
                    "med_oop_ratio_escaped",
                    _("脱贫人口自付费用占上年农村居民人均可支配收入的比例"),
                    "ratio",
                    "amount",
                    "0.5",
                    "L-阳原 W-MED-2",
                ),
                (
                    "rural_income_per_capita_last_year",
                    _("上年本省农村居民人均可支配收入"),
                    "yuan_per_year",
                    "amount",
                    "20133",
                    "省统计公报（示例值，须按本省设定）",
                ),
                (
                    "edu_self_paid_threshold",
                    _("高中/中职学年自付费用预警线"),
                    "yuan",
                    "amount",
                    "10000",
                    "L-xiexiebang W-EDU-2",
                ),
                (
                    "water_outage_days_threshold",
                    _("停水预警天数"),
                    "calendar_days",
                    "days",
                    30,
                    "DOMAIN §4.4 W-WATER-1",
                ),
                ("disability_grade_threshold", _("残疾等级预警线（含）"), "", "integer", 2, "UNCLEAR（示例值）"),
                ("agri_loss_threshold", _("农业损失预警金额"), "yuan", "amount", "10000", "L-旺苍（示例值）"),
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
    if spec.kind == "time_limit":
        return _time_limit(value)
    if spec.kind == "step_limits":
        return _step_limits(value)
    if spec.kind == "code_list":
        return format_code_list(parse_code_list(value))
    if spec.kind == "date":
        return _iso_date(value)
    if spec.kind == "share":
        return _share(value)
    if spec.kind in TABLE_KINDS:
        return TABLE_KINDS[spec.kind](value)
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


def _iso_date(raw: Any) -> str:
    """A day as "YYYY-MM-DD" (a month "YYYY-MM" means its first day)."""
    text = str(raw or "").strip()
    if re.fullmatch(r"\d{4}-\d{1,2}", text):
        text += "-01"
    try:
        return date.fromisoformat("-".join(p.zfill(2) for p in text.split("-"))).isoformat()
    except ValueError as exc:
        raise ValueError(str(_("须为日期，如 2022-04-01"))) from exc


def _share(raw: Any) -> str:
    """A fraction in (0, 1]: "0.25", or "1/4"."""
    text = str(raw or "").strip()
    top, slash, bottom = text.partition("/")
    try:
        number = Decimal(top) / Decimal(bottom) if slash else Decimal(text)
    except (InvalidOperation, ZeroDivisionError) as exc:
        raise ValueError(str(_("须为0到1之间的比例，如 0.25 或 1/4"))) from exc
    if not 0 < number <= 1:
        raise ValueError(str(_("须为0到1之间的比例，如 0.25 或 1/4")))
    return str(number.normalize())


# Data-quality checks whose dates and ratio DOMAIN §4.14 / R-ID-6 mark CONFIG (issue 12).
CATALOG.update(
    {
        spec.key: spec
        for spec in [
            ParamSpec(
                key="dq02_eliminations_from",
                label=_("帮扶消除最短监测时间检查的起始消除日期（DQ-02）"),
                unit="",
                kind="date",
                default="2022-04-01",
                source="DOMAIN §4.14 DQ-02 [C]“2022年4月以来消除”",
                note=_("此日期及以后的帮扶消除才检查距识别是否满规定月数。格式：2022-04-01。"),
            ),
            ParamSpec(
                key="dq12_identified_from",
                label=_("识别时人均纯收入偏高检查的起始识别日期（DQ-12）"),
                unit="",
                kind="date",
                default="2023-01-01",
                source="DOMAIN §4.2 R-ID-6、§4.14 DQ-12 [C]“2023年以来识别”（本地设定）",
                note=_("此日期及以后识别的监测户才与“识别时人均纯收入偏高核查线”比较。格式：2023-01-01。"),
            ),
            ParamSpec(
                key="dq09_able_labour_share",
                label=_("缺劳动力风险的劳动力占比上限（DQ-09）"),
                unit="ratio",
                kind="share",
                default="0.25",
                source="DOMAIN §4.2 R-ID-6、§4.14 DQ-09 [C]“超过1/4”",
                note=_("风险为缺劳动力、而普通/技能劳动力占家庭成员的比例超过此值时提示。填 0.25 或 1/4。"),
            ),
            # W-MED-2's second branch (DOMAIN §4.4; read by fangpin.datafeeds).
            ParamSpec(
                key="med_oop_ratio_other",
                label=_("其他农村参保人员自付费用占上年农村居民人均可支配收入的比例"),
                unit="ratio",
                kind="amount",
                default="1",
                source="L-阳原 W-MED-2（因病致贫风险：超过100%）",
            ),
        ]
    }
)


TIME_UNITS = {"calendar_days": ("自然日", "天", "日"), "working_days": ("工作日",)}


def _time_limit(value: Any) -> dict[str, Any]:
    """`{"value": n, "unit": "calendar_days" | "working_days"}` from a dict or text like "20 工作日"."""
    if isinstance(value, dict):
        number, unit = value.get("value"), value.get("unit", "calendar_days")
    else:
        text = str(value).strip()
        unit = "calendar_days"
        # Longest suffix first: "工作日" must not be read as "日".
        suffixes = sorted(
            ((w, code) for code, words in TIME_UNITS.items() for w in (code, *words)), key=lambda p: -len(p[0])
        )
        for word, code in suffixes:
            if text.endswith(word):
                text, unit = text[: -len(word)].strip(), code
                break
        number = text
    if unit not in TIME_UNITS:
        raise ValueError(str(_("时限单位须为自然日或工作日")))
    try:
        days = int(str(number))
    except ValueError as exc:
        raise ValueError(str(_("时限须为整数天，如“15 自然日”或“20 工作日”"))) from exc
    if days <= 0:
        raise ValueError(str(_("时限须大于0")))
    return {"value": days, "unit": unit}


def _step_limits(value: Any) -> dict[str, int]:
    """`{step: days}` from a dict or text like "verifying=5, appraised=2"."""
    if not isinstance(value, dict):
        pairs = [p.split("=", 1) for p in str(value).replace("，", ",").split(",") if p.strip()]
        if any(len(p) != 2 for p in pairs):
            raise ValueError(str(_("格式须为“环节=天数”，逗号分隔")))
        value = {k.strip(): v.strip() for k, v in pairs}
    out: dict[str, int] = {}
    for step, raw in value.items():
        try:
            out[str(step)] = int(str(raw))
        except ValueError as exc:
            raise ValueError(str(_("环节天数须为整数：")) + str(step)) from exc
        if out[str(step)] <= 0:
            raise ValueError(str(_("环节天数须大于0：")) + str(step))
    return out


@dataclass(frozen=True)
class CodeEntry:
    code: str
    label: str
    retired: bool = False


RETIRED_MARKS = ("（停用）", "(停用)", "=停用")
CODE_RE = re.compile(r"[a-z][a-z0-9_]{0,13}")


def parse_code_list(value: Any) -> list[CodeEntry]:
    """A code list from its text form "code=名称；code=名称（停用）" (or a list of
    {"code", "label", "retired"}); raise ValueError with a Chinese message."""
    if isinstance(value, (list, tuple)):
        entries = [CodeEntry(str(e["code"]), str(e["label"]), bool(e.get("retired"))) for e in value]
    else:
        entries = []
        for part in re.split(r"[;；\n]+", str(value or "")):
            part = part.strip()
            if not part:
                continue
            code, sep, label = part.partition("=")
            if not sep:
                raise ValueError(str(_("每项须写作“代码=名称”：")) + part)
            label, retired = label.strip(), False
            for mark in RETIRED_MARKS:
                if label.endswith(mark):
                    label, retired = label[: -len(mark)].strip(), True
            entries.append(CodeEntry(code.strip(), label, retired))
    seen: set[str] = set()
    for e in entries:
        if not CODE_RE.fullmatch(e.code):
            raise ValueError(str(_("代码须为小写英文字母开头的字母、数字或下划线，最长14位：")) + e.code)
        if not e.label or len(e.label) > 40:
            raise ValueError(str(_("名称不能为空且不超过40个字：")) + e.code)
        if e.code in seen:
            raise ValueError(str(_("代码重复：")) + e.code)
        seen.add(e.code)
    if not any(not e.retired for e in entries):
        raise ValueError(str(_("至少须有一个未停用的代码")))
    return entries


def format_code_list(entries: list[CodeEntry]) -> str:
    """The canonical text form stored as the parameter's value."""
    return "；".join(f"{e.code}={e.label}{'（停用）' if e.retired else ''}" for e in entries)


# Risk elimination guards and the assistance code lists (issue 12 §3). Their table format belongs
# to fangpin.assistance, above policy in the stack: assistance registers the parser and the seed
# from its AppConfig.ready() (register_table_kind), so policy imports no app above it.
TABLE_KINDS: dict[str, Callable[[Any], str]] = {}


def register_table_kind(kind: str, *, normalize: Callable[[Any], str], seed: Callable[[], str]) -> None:
    """The plugin point for a table-valued parameter kind: its parser-formatter and the national
    seed of every parameter of that kind (replacing the placeholder default, same place in CATALOG)."""
    TABLE_KINDS[kind] = normalize
    for key, spec in list(CATALOG.items()):
        if spec.kind == kind:
            CATALOG[key] = replace(spec, default=seed())


CATALOG.update(
    {
        spec.key: spec
        for spec in [
            ParamSpec(
                key="elimination_rigid_spending_max_share",
                label=_("风险消除：合规自付支出占家庭纯收入的上限"),
                unit="ratio",
                kind="share",
                default="0.5",
                source="DOMAIN §4.5.1 第3项“刚性支出稳定解决”（UNCLEAR：未见量化标准，本系统推定，可由县调整）",
                note=_(
                    "最近一次收支信息的合规自付支出高于家庭纯收入乘以该比例时，视为大额刚性支出尚未稳定解决，"
                    "不能提出或通过风险消除。如0.5即一半。"
                ),
            ),
            ParamSpec(
                key="risk_measure_coverage",
                label=_("风险类型与帮扶措施类别对应表"),
                unit="",
                kind="risk_coverage",
                default="",  # set by register_table_kind (fangpin.assistance.apps)
                source="DOMAIN §4.5.2 R-EL-3 [C]（因病、因学、因安全住房、因安全饮水四行）；其余七行本系统推定",
                note=_(
                    "每行“风险类型=措施类别、措施类别”，以分号分隔。帮扶消除时，每种风险须有对应类别的措施已落实（R-EL-3）。"
                    "标注“本系统推定，可由县调整”的七行不是R-EL-3原文所列，是本系统的推定，同样作为硬性条件；县可修改或删去标注。"
                ),
            ),
            ParamSpec(
                key="measure_catalogue",
                label=_("帮扶措施目录"),
                unit="",
                kind="measure_catalogue",
                default="",  # set by register_table_kind (fangpin.assistance.apps)
                source="DOMAIN §2.11、§4.7 R-AS-3（全国帮扶措施栏目及各地项目的归类）",
                note=_(
                    "每项“代码=措施名称|措施类别|责任单位”，以分号分隔；停用的措施在末尾加“（停用）”——"
                    "停用后不能再登记新措施，已有记录仍显示原名称。措施类别决定是否为开发式措施。"
                ),
            ),
        ]
    }
)


# The official holiday calendar (issue 12 §1; fangpin.policy.selectors.work_calendar).
CATALOG.update(
    {
        spec.key: spec
        for spec in [
            ParamSpec(
                key="calendar_warning_days",
                label=_("放假安排录入提醒提前天数"),
                unit="calendar_days",
                kind="days",
                default=60,
                source="fangpin 默认值（国务院办公厅通常于每年12月公布次年放假安排）",
                note=_(
                    "距已录入放假安排的最后一天不足该天数时，县级和省（市）级管理员在首页和待办中看到“某年放假安排尚未录入”。"
                ),
            ),
        ]
    }
)
