"""Code lists of the registry (values as in the national system export [C])."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HouseholdType(models.TextChoices):
    ESCAPED = "escaped", _("脱贫户")
    ORDINARY = "ordinary", _("一般农户")


class LegacyPoorClass(models.TextChoices):
    CONTINUE = "continue_assistance", _("脱贫户（继续享受政策）")
    EXITED = "exited_assistance", _("脱贫户（不享受政策）")


class HouseholdStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    MERGED = "merged", _("已并入他户")
    DISSOLVED = "dissolved", _("已注销")


class HouseRating(models.TextChoices):
    A = "A", _("A级")
    B = "B", _("B级")
    C = "C", _("C级（局部危险）")
    D = "D", _("D级（整栋危险）")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Relationship(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    SON = "son", _("之子")
    DAUGHTER = "daughter", _("之女")
    DAUGHTER_IN_LAW = "daughter_in_law", _("之儿媳")
    SON_IN_LAW = "son_in_law", _("之女婿")
    GRANDCHILD = "grandchild", _("之孙子女")
    PARENT = "parent", _("之父母")
    GRANDPARENT = "grandparent", _("之祖父母")
    SIBLING = "sibling", _("之兄弟姐妹")
    OTHER = "other", _("其他")


class Education(models.TextChoices):
    PRESCHOOL = "preschool", _("学龄前儿童")
    ILLITERATE = "illiterate", _("文盲或半文盲")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中专（中技）")
    COLLEGE = "college", _("大专及以上")


class StudentStatus(models.TextChoices):
    NONE = "", _("非在校生")
    PRESCHOOL = "preschool", _("学前教育")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("普通高中")
    SECONDARY_VOCATIONAL = "secondary_vocational", _("中职")
    HIGHER_VOCATIONAL = "higher_vocational", _("高职高专")
    TECHNICIAN = "technician", _("技师学院")
    UNDERGRADUATE = "undergraduate", _("本科")
    POSTGRADUATE = "postgraduate", _("硕士研究生及以上")


class LabourCapacity(models.TextChoices):
    SKILLED = "skilled", _("技能劳动力")
    ORDINARY = "ordinary", _("普通劳动力")
    WEAK = "weak", _("弱劳动力或半劳动力")
    LOST = "lost", _("丧失劳动力")
    NONE = "none", _("无劳动力")


HAS_LABOUR = {LabourCapacity.SKILLED, LabourCapacity.ORDINARY, LabourCapacity.WEAK}


class WorkLocation(models.TextChoices):
    NONE = "", _("未务工")
    IN_COUNTY = "in_county", _("县内")
    IN_PROVINCE = "in_province", _("省内县外")
    OUT_OF_PROVINCE = "out_of_province", _("省外")


class DisabilityType(models.TextChoices):
    NONE = "", _("无")
    VISUAL = "visual", _("视力残疾")
    HEARING = "hearing", _("听力残疾")
    SPEECH = "speech", _("言语残疾")
    PHYSICAL = "physical", _("肢体残疾")
    INTELLECTUAL = "intellectual", _("智力残疾")
    MENTAL = "mental", _("精神残疾")
    MULTIPLE = "multiple", _("多重残疾")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    DECEASED = "deceased", _("死亡")
    MOVED_OUT = "moved_out", _("迁出")
    MARRIED_OUT = "married_out", _("婚出")
    OTHER_REMOVED = "other_removed", _("其他原因减员")


class MemberAddReason(models.TextChoices):
    BIRTH = "birth", _("出生")
    MARRIAGE = "marriage", _("婚入")
    MOVE_IN = "move_in", _("迁入")
    OTHER = "other", _("其他")


class ChangeKind(models.TextChoices):
    CREATED = "created", _("建户")
    MEMBER_ADDED = "member_added", _("增加成员")
    MEMBER_REMOVED = "member_removed", _("减少成员")
    MEMBER_MOVED_IN = "member_moved_in", _("成员从他户转入")
    MEMBER_MOVED_OUT = "member_moved_out", _("成员转入他户")
    HEAD_CHANGED = "head_changed", _("变更户主")
    SPLIT_FROM = "split_from", _("分户（原户）")
    SPLIT_INTO = "split_into", _("分户（新户）")
    MERGED_FROM = "merged_from", _("并户（并入本户）")
    MERGED_INTO = "merged_into", _("并户（本户并入他户）")
    TRANSFERRED = "transferred", _("迁移到其他村")


class SnapshotKind(models.TextChoices):
    ANNUAL = "annual_update", _("年度信息采集")
    IDENTIFICATION = "identification", _("识别监测时")
    ELIMINATION = "elimination", _("风险消除时")
    AD_HOC = "ad_hoc", _("临时核查")


class MigrantWorkSource(models.TextChoices):
    """Where a dated migrant-work record came from."""

    VISIT = "visit", _("入户走访")
    SELF_REPORT = "self_report", _("本人或家属申报")
    DEPARTMENT = "department", _("人社部门数据")
    DEMO = "demo", _("演示数据")
