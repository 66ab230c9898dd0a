"""The department feeds of DOMAIN §4.4 (S000's eleven pushing departments plus
public security), as declared column mappings.

S000's eleven: 教体 (education), 水务 (water), 住建 (housing), 交通 (transport),
人社 (human_resources), 应急 (emergency), 民政 (civil_affairs), 医保
(medical_security), 残联 (disabled_persons_federation), 卫健 (health), 农业农村
(agriculture_rural).  What 交通 pushes is not written down anywhere found; the
transport source is the project's reading (docs/datafeeds.md)."""

from __future__ import annotations

from fangpin.datafeeds.core.sources import Column, Source, person_columns

# DOMAIN §1.2 housing_six_groups, as the housing department's lists name them.
HOUSING_GROUPS = (
    "农村低保户",
    "农村分散供养特困人员",
    "低保边缘家庭",
    "严重困难家庭",  # 因病因灾因意外事故刚性支出大或收入大幅缩减
    "监测对象",  # 农村易返贫致贫户
    "其他脱贫户",
)

SOURCES: tuple[Source, ...] = (
    Source(
        code="medical_security",
        department="medical_security",
        label="医保部门：参保与医疗费用",
        columns=(
            *person_columns(),
            Column(
                "insured_status",
                "参保状态",
                type="enum",
                aliases=("参保情况",),
                choices=("已参保", "未参保", "断保"),
                meaning="basic medical insurance enrolment",
            ),
            Column(
                "oop_ytd",
                "年度累计个人自付",
                type="decimal",
                aliases=("累计自付金额", "年度累计自付费用", "个人自付累计"),
                meaning="cumulative personal out-of-pocket this calendar year, after all reimbursements (元)",
            ),
            Column(
                "oop_outpatient_month",
                "当月门诊特殊病自付",
                type="decimal",
                aliases=("门特自付",),
                meaning="outpatient-pooling / special-outpatient out-of-pocket this month (元)",
            ),
            Column("event_date", "结算日期", type="date", aliases=("最近结算日期",), meaning="last settlement date"),
        ),
        cadence="monthly",
        rule_codes=("W-MED-1", "W-MED-1B", "W-MED-1C", "W-MED-2", "W-MED-2B", "GAP-MED"),
    ),
    Source(
        code="health",
        department="health",
        label="卫健部门：大病专项救治",
        columns=(
            *person_columns(),
            Column(
                "disease",
                "病种",
                aliases=("大病病种", "疾病名称"),
                required=True,
                meaning="serious disease under the special treatment programme",
            ),
            Column("event_date", "确诊日期", type="date", aliases=("诊断日期",), meaning="diagnosis date"),
        ),
        rule_codes=("W-HEALTH-1",),
    ),
    Source(
        code="education",
        department="education",
        label="教育部门：学籍与控辍保学",
        columns=(
            *person_columns(),
            Column(
                "school_status",
                "在校状态",
                type="enum",
                aliases=("学籍状态", "就学状态"),
                required=True,
                choices=("在校", "辍学", "失学", "送教上门", "休学", "毕业"),
                meaning="enrolment status",
            ),
            Column(
                "stage",
                "学段",
                type="enum",
                aliases=("教育阶段",),
                choices=("学前", "小学", "初中", "高中", "中职", "高校"),
                meaning="school stage",
            ),
            Column(
                "self_paid",
                "学年自付费用",
                type="decimal",
                aliases=("自付费用", "个人负担费用"),
                meaning="self-paid tuition, boarding and textbooks after subsidies this academic year (元)",
            ),
            Column("event_date", "变动日期", type="date", aliases=("状态日期",), meaning="status date"),
        ),
        rule_codes=("W-EDU-1", "W-EDU-2", "GAP-EDU"),
    ),
    Source(
        code="emergency",
        department="emergency",
        label="应急部门：受灾人员",
        columns=(
            *person_columns(),
            Column("disaster_type", "灾害类型", aliases=("灾种",), meaning="flood, drought, earthquake …"),
            Column(
                "loss",
                "受灾情况",
                type="enum",
                aliases=("损失类型",),
                required=True,
                choices=("房屋倒塌", "房屋严重损坏", "房屋一般损坏", "农作物绝收", "人员伤亡", "其他"),
                meaning="kind of loss",
            ),
            Column("event_date", "受灾日期", type="date", aliases=("灾害发生日期",), meaning="disaster date"),
        ),
        cadence="event",
        rule_codes=("W-DIS-1",),
    ),
    Source(
        code="housing",
        department="housing",
        label="住建部门：农房安全鉴定",
        columns=(
            *person_columns(),
            Column(
                "rating",
                "鉴定等级",
                type="enum",
                aliases=("安全等级", "危房等级"),
                required=True,
                choices=("A", "B", "C", "D"),
                meaning="house safety rating",
            ),
            Column(
                "household_group",
                "对象类别",
                type="enum",
                aliases=("农户类别", "危改对象类别", "六类重点对象"),
                choices=(*HOUSING_GROUPS, "一般农户"),
                meaning="the household group the housing department records (DOMAIN §1.2 housing_six_groups)",
            ),
            Column(
                "renovation",
                "改造状态",
                type="enum",
                aliases=("危改状态",),
                choices=("未改造", "改造中", "已改造"),
                meaning="renovation status",
            ),
            Column("event_date", "鉴定日期", type="date", meaning="appraisal date"),
        ),
        cadence="event",
        rule_codes=("W-HOUSE-1", "GAP-HOUSE"),
    ),
    Source(
        code="water",
        department="water",
        label="水利部门：农村供水问题",
        columns=(
            *person_columns(),
            Column(
                "problem",
                "问题类型",
                type="enum",
                required=True,
                choices=("停水", "水质不达标", "取水不便", "水量不足"),
                meaning="water problem",
            ),
            Column("outage_days", "停水天数", type="integer", aliases=("断水天数",), meaning="days without supply"),
            Column("event_date", "发现日期", type="date", meaning="date found"),
        ),
        cadence="event",
        rule_codes=("W-WATER-1",),
    ),
    Source(
        code="human_resources",
        department="human_resources",
        label="人社部门：就业状态",
        columns=(
            *person_columns(),
            Column(
                "employment",
                "就业状态",
                type="enum",
                required=True,
                choices=("就业", "失业", "返乡未就业", "未就业"),
                meaning="employment status",
            ),
            Column(
                "job_loss_type",
                "失业原因",
                type="enum",
                aliases=("失业类型",),
                choices=("个人原因", "合同到期", "企业裁员", "企业停产", "规模性失业"),
                meaning="why the job ended; the last three are large-scale job loss",
            ),
            Column(
                "zero_employment_family",
                "零就业家庭",
                type="enum",
                aliases=("是否零就业家庭",),
                choices=("是", "否"),
                meaning="the household has no employed member (人社 零就业家庭 register)",
            ),
            Column("event_date", "变动日期", type="date", meaning="status date"),
        ),
        rule_codes=("W-EMP-1", "W-EMP-1B", "W-EMP-1C", "W-EMP-1D"),
    ),
    Source(
        code="disabled_persons_federation",
        department="disabled_persons_federation",
        label="残联：残疾人证",
        columns=(
            *person_columns(),
            Column("grade", "残疾等级", type="integer", aliases=("等级",), required=True, meaning="grade 1–4"),
            Column(
                "cert_change", "办证类型", type="enum", choices=("新办", "换证", "注销"), meaning="certificate change"
            ),
            Column("event_date", "发证日期", type="date", meaning="issue date"),
        ),
        rule_codes=("W-DISAB-1",),
    ),
    Source(
        code="civil_affairs",
        department="civil_affairs",
        label="民政部门：低保特困与殡葬",
        columns=(
            *person_columns(),
            Column(
                "benefit",
                "救助类型",
                type="enum",
                required=True,
                choices=("低保", "特困", "临时救助", "殡葬", "低收入预警"),
                meaning="assistance type, funeral record, or a low-income-population monitoring alert",
            ),
            Column(
                "change",
                "变动类型",
                type="enum",
                required=True,
                choices=("新增", "取消", "死亡", "在保"),
                meaning="change",
            ),
            Column("event_date", "变动日期", type="date", meaning="date"),
        ),
        rule_codes=("W-CIVIL-1", "W-CIVIL-1B", "W-CIVIL-1C", "W-CIVIL-1D", "W-CIVIL-1E", "GAP-DEATH"),
    ),
    Source(
        code="agriculture_rural",
        department="agriculture_rural",
        label="农业农村部门：产业与灾病",
        columns=(
            *person_columns(),
            Column(
                "event",
                "事件类型",
                type="enum",
                required=True,
                choices=("产业项目失败", "农作物病虫害", "畜禽疫病"),
                meaning="event",
            ),
            Column("loss_amount", "损失金额", type="decimal", meaning="estimated loss (元)"),
            Column("event_date", "发生日期", type="date", meaning="date"),
        ),
        cadence="event",
        rule_codes=("W-AGRI-1",),
    ),
    Source(
        code="transport",
        department="transport",
        label="交通部门：道路交通事故伤亡",
        columns=(
            *person_columns(),
            Column(
                "casualty",
                "伤亡情况",
                type="enum",
                aliases=("伤亡类型", "受伤程度"),
                required=True,
                choices=("死亡", "重伤", "轻伤", "无伤亡"),
                meaning="what the accident did to this rural resident",
            ),
            Column(
                "accident_type",
                "事故类型",
                type="enum",
                aliases=("交通事故类型",),
                choices=("道路交通事故", "水上交通事故", "其他"),
                meaning="kind of traffic accident",
            ),
            Column(
                "medical_cost",
                "医疗费用",
                type="decimal",
                aliases=("救治费用",),
                meaning="treatment cost known to the department (元), if any",
            ),
            Column("event_date", "事故日期", type="date", aliases=("发生日期",), meaning="accident date"),
        ),
        cadence="monthly",
        rule_codes=("W-TRANS-1",),
    ),
    Source(
        code="public_security",
        department="public_security",
        label="公安部门：户籍变动",
        columns=(
            *person_columns(),
            Column(
                "change_type",
                "变动类型",
                type="enum",
                required=True,
                choices=("死亡", "出生", "迁出", "迁入"),
                meaning="household register change",
            ),
            Column("event_date", "变动日期", type="date", meaning="date"),
        ),
        rule_codes=("W-PUB-1", "GAP-DEATH-PUB"),
    ),
)

BY_CODE = {s.code: s for s in SOURCES}


def get_source(code: str) -> Source:
    try:
        return BY_CODE[code]
    except KeyError:
        raise KeyError(code) from None
