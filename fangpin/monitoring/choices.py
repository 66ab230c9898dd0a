"""Code lists of monitoring (values from DOMAIN §2.6–2.13, §3.1–3.5, §4.3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fangpin.engine.choices import SmsStatus as _SmsStatus


class ClueSource(models.TextChoices):
    SELF_REPORT = "self_report", _("农户自主申报")
    VISIT = "visit", _("干部走访排查")
    DEPARTMENT_WARNING = "department_warning", _("部门筛查预警")
    HOTLINE = "hotline", _("热线诉求")
    SUPERVISION = "supervision", _("督导巡视审计发现")
    SCREENING = "screening", _("集中排查")


class ClueStatus(models.TextChoices):
    RECEIVED = "received", _("已接收，待受理")
    ACCEPTED = "accepted", _("已受理，待核实")
    VERIFYING = "verifying", _("核实中")
    CLOSED = "closed", _("已办结")


class ClueOutcome(models.TextChoices):
    NOT_AT_RISK = "not_at_risk", _("经核实无风险")
    ALREADY_MONITORED = "already_monitored", _("已是监测对象")
    REFERRED = "referred", _("转行业部门处理")
    IDENTIFICATION_STARTED = "identification_started", _("启动识别程序")
    GREEN_CHANNEL = "green_channel", _("启动绿色通道")
    DUPLICATE = "duplicate", _("重复线索")


class RiskType(models.TextChoices):
    """National code table 100A27. [DOMAIN §4.3]"""

    ILLNESS = "illness", _("因病")
    DISABILITY = "disability", _("因残")
    SCHOOLING = "schooling", _("因学")
    NATURAL_DISASTER = "natural_disaster", _("因自然灾害")
    ACCIDENT = "accident", _("因意外事故")
    INDUSTRY_FAILURE = "industry_failure", _("因产业项目失败")
    UNSTABLE_EMPLOYMENT = "unstable_employment", _("因务工就业不稳")
    LACK_OF_LABOUR = "lack_of_labour", _("缺劳动力")
    UNSAFE_HOUSING = "unsafe_housing", _("因安全住房")
    UNSAFE_WATER = "unsafe_water", _("因安全饮水")
    OTHER = "other", _("其他")


class DisasterSubtype(models.TextChoices):
    FLOOD = "0201", _("洪涝")
    GEOLOGICAL = "0202", _("地质")
    DROUGHT = "0203", _("旱灾")
    BIOLOGICAL = "0204", _("生物")
    METEOROLOGICAL = "0205", _("气象")
    EARTHQUAKE = "0206", _("地震")
    OTHER = "0299", _("其他")


class MonitoringCategory(models.TextChoices):
    UNSTABLE_ESCAPED = "unstable_escaped", _("脱贫不稳定户")
    MARGINAL = "marginal", _("边缘易致贫户")
    SUDDEN_HARDSHIP = "sudden_hardship", _("突发严重困难户")


class CaseStatus(models.TextChoices):
    """Identification procedure (纳入程序). [DOMAIN §3.2]"""

    APPLIED = "applied", _("已申请，待签署承诺授权")
    VERIFYING = "verifying", _("入户核实与信息比对中")
    APPRAISED = "appraised", _("已民主评议")
    NOTICE = "notice", _("村级公示中")
    TOWNSHIP_REVIEWED = "township_reviewed", _("乡镇已审核")
    COUNTY_APPROVED = "county_approved", _("县级已审定")
    ANNOUNCED = "announced", _("已公告")
    MONITORED = "monitored", _("已纳入监测")
    REJECTED = "rejected", _("未纳入")


class EpisodeStatus(models.TextChoices):
    """Household monitoring status. [DOMAIN §3.3]"""

    GREEN_CHANNEL = "green_channel", _("绿色通道帮扶中")
    MONITORED = "monitored", _("风险未消除")
    ELIMINATED = "eliminated", _("风险已消除（跟踪期）")
    STABLE = "stable", _("风险已稳定消除")
    REIDENTIFIED = "reidentified", _("已重新纳入")
    NOT_INCLUDED = "not_included", _("程序未通过，未纳入")
    REVOKED = "revoked", _("纳入已撤销（错评纠正）")


OPEN_EPISODE_STATUSES = (EpisodeStatus.GREEN_CHANNEL, EpisodeStatus.MONITORED)


class EliminationMode(models.TextChoices):
    ASSISTED = "assisted", _("帮扶消除")
    NATURAL = "natural", _("自然消除")


class EliminationStatus(models.TextChoices):
    """Elimination procedure (风险消除程序). [DOMAIN §3.4]"""

    PROPOSED = "proposed", _("已提出，待入户核实")
    HOME_VERIFIED = "home_verified", _("已入户核实")
    APPRAISED = "appraised", _("已民主评议")
    NOTICE = "notice", _("村级公示中")
    TOWNSHIP_REVIEWED = "township_reviewed", _("乡镇已审核")
    COUNTY_APPROVED = "county_approved", _("县级已审定")
    ANNOUNCED = "announced", _("已公告")
    FLAGGED = "flagged", _("已标注风险消除")
    REJECTED = "rejected", _("未通过")


class NoticeKind(models.TextChoices):
    VILLAGE_NOTICE = "village_notice", _("公示")
    ANNOUNCEMENT = "announcement", _("公告")


class NoticeSubject(models.TextChoices):
    IDENTIFICATION = "identification", _("监测对象识别")
    ELIMINATION = "elimination", _("风险消除")


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


class CaseKind(models.TextChoices):
    CLUE = "clue", _("风险线索")
    IDENTIFICATION = "identification", _("识别认定")
    ELIMINATION = "elimination", _("风险消除")
    EPISODE = "episode", _("监测记录")
    NOTICE = "notice", _("公示公告")


SmsStatus = _SmsStatus  # the engine owns the outbox and its states
