"""The rule templates shipped with fangpin: DOMAIN §4.4 (W-*) and the policy-gap
checks of issue 4 (GAP-*).  Thresholds are policy parameters (`param(...)`),
never constants; counties edit the copies in the database."""

from __future__ import annotations

from fangpin.datafeeds.rules import Rule

ESC = "escaped_or_monitored"

TEMPLATES: tuple[Rule, ...] = (
    Rule("W-MED-1", "medical_security", "脱贫/监测人口年度累计个人自付医疗费用超过标准",
         'oop_ytd >= param("med_oop_threshold_escaped")', ESC, "calendar_year", "monthly",
         metric="oop_ytd", threshold='param("med_oop_threshold_escaped")', risk_types=("illness",)),
    Rule("W-MED-1B", "medical_security", "其他农村人口年度累计个人自付医疗费用超过标准",
         'oop_ytd >= param("med_oop_threshold_other")', "ordinary", "calendar_year", "monthly",
         metric="oop_ytd", threshold='param("med_oop_threshold_other")', risk_types=("illness",)),
    Rule("W-MED-1C", "medical_security", "门诊统筹/门诊特殊病当月自付超过标准",
         'oop_outpatient_month >= param("med_outpatient_month_threshold")', ESC, "month", "monthly",
         metric="oop_outpatient_month", threshold='param("med_outpatient_month_threshold")', risk_types=("illness",)),
    Rule("W-MED-2", "medical_security", "脱贫/监测人口自付费用超过上年农村居民人均可支配收入的一定比例",
         'oop_ytd > param("med_oop_ratio_escaped") * param("rural_income_per_capita_last_year")', ESC,
         "calendar_year", "every_10_days", metric="oop_ytd",
         threshold='param("med_oop_ratio_escaped") * param("rural_income_per_capita_last_year")', risk_types=("illness",)),
    Rule("GAP-MED", "medical_security", "脱贫/监测人口未参加基本医疗保险",
         'insured_status in ("未参保", "断保")', ESC, "calendar_year", "monthly", risk_types=("illness",)),
    Rule("W-HEALTH-1", "health", "新增符合大病专项救治条件的患者",
         'disease in ("恶性肿瘤", "尿毒症", "白血病", "先天性心脏病", "重性精神病", "耐多药肺结核")', "all_rural",
         "once", "monthly", risk_types=("illness",)),
    Rule("W-EDU-1", "education", "义务教育阶段适龄儿童辍学或失学（控辍保学）",
         'school_status in ("辍学", "失学") and age() >= 6 and age() <= 15', "all_rural", "academic_year", "monthly",
         risk_types=("schooling",)),
    Rule("W-EDU-2", "education", "高中/中职学年自付费用超过标准",
         'stage in ("高中", "中职") and self_paid > param("edu_self_paid_threshold")', "all_rural", "academic_year",
         "yearly", metric="self_paid", threshold='param("edu_self_paid_threshold")', risk_types=("schooling",)),
    Rule("W-DIS-1", "emergency", "因灾房屋倒塌/严重损坏、农作物绝收或人员伤亡",
         'loss in ("房屋倒塌", "房屋严重损坏", "农作物绝收", "人员伤亡")', "all_rural", "event", "event",
         risk_types=("natural_disaster",)),
    Rule("W-HOUSE-1", "housing", "六类重点对象住房鉴定为C级或D级",
         'rating in ("C", "D") and (population in ("escaped", "monitored") or is_dibao or is_tekun)', "all_rural",
         "calendar_year", "event", risk_types=("unsafe_housing",)),
    Rule("GAP-HOUSE", "housing", "C/D级危房尚未改造",
         'rating in ("C", "D") and renovation == "未改造"', ESC, "month", "monthly", risk_types=("unsafe_housing",)),
    Rule("W-WATER-1", "water", "饮水安全问题：停水超过1个月、水质不达标或取水不便",
         'problem in ("水质不达标", "取水不便") or outage_days > param("water_outage_days_threshold")', "all_rural",
         "calendar_year", "event", metric="outage_days", risk_types=("unsafe_water",)),
    Rule("W-EMP-1", "human_resources", "脱贫/监测劳动力失业、返乡未就业",
         'employment in ("失业", "返乡未就业", "未就业")', ESC, "month", "monthly", risk_types=("unstable_employment",)),
    Rule("W-DISAB-1", "disabled_persons_federation", "新办重度（一、二级）残疾人证",
         'grade <= param("disability_grade_threshold") and cert_change == "新办"', "all_rural", "once", "monthly",
         metric="grade", risk_types=("disability",)),
    Rule("W-CIVIL-1", "civil_affairs", "低保/特困被取消",
         'benefit in ("低保", "特困") and change == "取消"', "all_rural", "calendar_year", "monthly",
         risk_types=("other",)),
    Rule("GAP-DEATH", "civil_affairs", "殡葬记录显示已死亡，但农户信息库中仍为在册",
         'benefit == "殡葬" and person_status == "active"', "all_rural", "once", "monthly", risk_types=("accident",)),
    Rule("W-AGRI-1", "agriculture_rural", "帮扶产业项目失败或农作物、畜禽重大灾病",
         'event == "产业项目失败" or loss_amount >= param("agri_loss_threshold")', "all_rural", "event", "event",
         metric="loss_amount", risk_types=("industry_failure",)),
    Rule("W-PUB-1", "public_security", "户籍迁出（与农户信息库核对）",
         'change_type == "迁出" and person_status == "active"', "all_rural", "month", "monthly", risk_types=("other",)),
    Rule("GAP-DEATH-PUB", "public_security", "公安户籍显示已死亡，但农户信息库中仍为在册",
         'change_type == "死亡" and person_status == "active"', "all_rural", "once", "monthly", risk_types=("accident",)),
    Rule("GAP-NOLABOUR", "registry", "整户无劳动能力但未纳入低保或特困供养",
         "hh_no_labour and not hh_safety_net", ESC, "calendar_year", "monthly", risk_types=("lack_of_labour",)),
)

# Policy parameters the templates read (DOMAIN §4.4 example values; counties override).
RULE_PARAMS = {
    "med_oop_threshold_escaped": ("5000", "脱贫/监测人口年度累计自付医疗费用预警线（元）", "L-xiexiebang"),
    "med_oop_threshold_other": ("20000", "其他农村人口年度累计自付医疗费用预警线（元）", "L-xiexiebang"),
    "med_outpatient_month_threshold": ("500", "门诊特殊病当月自付预警线（元）", "L-xiexiebang"),
    "med_oop_ratio_escaped": ("0.5", "脱贫人口自付费用占上年农村居民人均可支配收入比例", "L-阳原"),
    "rural_income_per_capita_last_year": ("20133", "上年本省农村居民人均可支配收入（元）", "省统计公报（示例值）"),
    "edu_self_paid_threshold": ("10000", "高中/中职学年自付费用预警线（元）", "L-xiexiebang"),
    "water_outage_days_threshold": ("30", "停水预警天数", "DOMAIN §4.4 W-WATER-1"),
    "disability_grade_threshold": ("2", "残疾等级预警线（含）", "UNCLEAR，示例值"),
    "agri_loss_threshold": ("10000", "农业损失预警金额（元）", "L-旺苍（示例值）"),
}
