"""Households, members, income-and-expense snapshots and household changes.
[DOMAIN §2.3–2.5]"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypedDict

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from fangpin.core.idnumber import mask as mask_id
from fangpin.core.masking import mask_phone
from fangpin.core.scoping import AreaScope, ScopedQuerySet
from fangpin.policy.selectors import policy_get
from fangpin.registry import rules
from fangpin.registry.choices import (
    ChangeKind,
    DisabilityType,
    Education,
    Gender,
    HouseholdStatus,
    HouseholdType,
    HouseRating,
    LabourCapacity,
    LegacyPoorClass,
    MigrantWorkSource,
    PersonStatus,
    Relationship,
    SnapshotKind,
    StudentStatus,
    WorkLocation,
)


class _MoneyOptions(TypedDict):
    max_digits: int
    decimal_places: int
    default: Decimal


# A TypedDict so that the type checker sees each option's type when the dict is spread into a field.
MONEY: _MoneyOptions = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0")}


class Household(models.Model):
    area_scope = AreaScope(village="village_code", grid="grid_id")

    national_household_code = models.CharField(_("户编号"), max_length=32, unique=True)
    village = models.ForeignKey("areas.Area", verbose_name=_("所在村"), on_delete=models.PROTECT, related_name="+")
    # Denormalised from `village` so that scoping is one indexed prefix test.
    village_code = models.CharField(_("村区划代码"), max_length=12, db_index=True)
    grid = models.ForeignKey(
        "areas.Area", verbose_name=_("网格"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    household_type = models.CharField(_("户类型"), max_length=10, choices=HouseholdType.choices)
    escape_year = models.PositiveSmallIntegerField(_("脱贫年度"), null=True, blank=True)
    legacy_poor_class = models.CharField(
        _("脱贫户分类管理"), max_length=24, choices=LegacyPoorClass.choices, blank=True
    )
    address = models.CharField(_("家庭住址"), max_length=200, blank=True)
    natural_village = models.CharField(_("自然村（组）"), max_length=60, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    is_military_martyr_family = models.BooleanField(_("军烈属"), default=False)
    is_relocated = models.BooleanField(_("易地扶贫搬迁户"), default=False)
    no_labour_safety_net = models.BooleanField(_("整户无劳动能力兜底保障户"), default=False)
    house_rating = models.CharField(_("住房安全等级"), max_length=1, choices=HouseRating.choices, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=HouseholdStatus.choices, default=HouseholdStatus.ACTIVE)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("农户")
        verbose_name_plural = _("农户")
        indexes = [models.Index(fields=["village_code", "id"])]

    def __str__(self) -> str:
        return self.national_household_code

    @cached_property
    def head(self) -> Person | None:
        for person in self.active_members:
            if person.relationship == Relationship.HEAD:
                return person
        return None

    @cached_property
    def active_members(self) -> list[Person]:
        return [p for p in self.members.all() if p.status == PersonStatus.ACTIVE]

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class Person(models.Model):
    area_scope = AreaScope(village="household__village_code", grid="household__grid_id")

    household = models.ForeignKey(Household, verbose_name=_("所在户"), on_delete=models.PROTECT, related_name="members")
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    id_number = models.CharField(_("身份证号"), max_length=18, unique=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    relationship = models.CharField(_("与户主关系"), max_length=16, choices=Relationship.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    political_status = models.CharField(_("政治面貌"), max_length=20, blank=True)
    education = models.CharField(_("文化程度"), max_length=12, choices=Education.choices, blank=True)
    student_status = models.CharField(_("在校生状况"), max_length=24, choices=StudentStatus.choices, blank=True)
    is_chronic_ill = models.BooleanField(_("长期慢性病"), default=False)
    is_seriously_ill = models.BooleanField(_("患有大病"), default=False)
    is_disabled = models.BooleanField(_("残疾"), default=False)
    disability_grade = models.PositiveSmallIntegerField(_("残疾等级"), null=True, blank=True)
    disability_type = models.CharField(_("残疾类别"), max_length=16, choices=DisabilityType.choices, blank=True)
    labour_capacity = models.CharField(_("劳动技能"), max_length=10, choices=LabourCapacity.choices)
    work_location = models.CharField(_("务工所在地"), max_length=16, choices=WorkLocation.choices, blank=True)
    work_months = models.PositiveSmallIntegerField(_("务工时间（月）"), null=True, blank=True)
    # DOMAIN §2.4 migrant_work.plans_to_work: read by DQ-17 (no labour, yet planning to work away).
    plans_to_work = models.BooleanField(_("计划外出务工"), default=False)
    in_resident_medical = models.BooleanField(_("参加城乡居民基本医疗保险"), default=False)
    in_employee_medical = models.BooleanField(_("参加职工基本医疗保险"), default=False)
    in_serious_illness = models.BooleanField(_("参加大病保险"), default=False)
    in_commercial_medical = models.BooleanField(_("参加商业补充医疗保险"), default=False)
    in_resident_pension = models.BooleanField(_("参加城乡居民基本养老保险"), default=False)
    in_employee_pension = models.BooleanField(_("参加职工基本养老保险"), default=False)
    is_dibao = models.BooleanField(_("享受低保"), default=False)
    is_tekun = models.BooleanField(_("特困供养"), default=False)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    status = models.CharField(_("状态"), max_length=14, choices=PersonStatus.choices, default=PersonStatus.ACTIVE)
    status_date = models.DateField(_("状态变更日期"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        indexes = [models.Index(fields=["name", "id"])]
        constraints = [
            # One active head per household, enforced by the database.
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(relationship="head", status="active"),
                name="person_one_active_head",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def health_labels(self) -> list[str]:
        labels = [
            str(f.verbose_name)
            for f in (
                self._meta.get_field("is_chronic_ill"),
                self._meta.get_field("is_seriously_ill"),
                self._meta.get_field("is_disabled"),
            )
            # get_field may return a reverse relation; these three are model fields.
            if isinstance(f, models.Field) and getattr(self, f.name)
        ]
        return labels or [str(_("健康"))]

    def age_on(self, day: date) -> int:
        return rules.age_on(self.birth_date, day)


class IncomeSnapshot(models.Model):
    """One dated assessment of a household's income and expenses; inputs only,
    net and per-capita income are computed (rules.py). [DOMAIN §2.5]"""

    area_scope = AreaScope(village="household__village_code", grid="household__grid_id")

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="snapshots")
    kind = models.CharField(_("类型"), max_length=16, choices=SnapshotKind.choices, default=SnapshotKind.ANNUAL)
    year = models.PositiveSmallIntegerField(_("年度"))
    window_start = models.DateField(_("收入计算起始日"))
    window_end = models.DateField(_("收入计算截止日"))
    wage_income = models.DecimalField(_("工资性收入"), **MONEY)
    business_income = models.DecimalField(_("生产经营性收入"), **MONEY)
    property_income = models.DecimalField(_("财产性收入"), **MONEY)
    transfer_income = models.DecimalField(_("转移性收入"), **MONEY)
    business_expense = models.DecimalField(_("生产经营性支出"), **MONEY)
    insurance_claim_income = models.DecimalField(_("理赔收入"), **MONEY)
    eligible_out_of_pocket = models.DecimalField(_("合规自付支出"), **MONEY)
    household_size = models.PositiveSmallIntegerField(_("共同生活人口"))
    house_unsafe = models.BooleanField(_("住房出现安全问题"), null=True, blank=True)
    child_out_of_school = models.BooleanField(_("义务教育阶段适龄儿童失学辍学"), null=True, blank=True)
    water_unsafe = models.BooleanField(_("饮水出现安全问题"), null=True, blank=True)
    member_without_medical_insurance = models.BooleanField(_("有成员未参加基本医疗保险"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("收支信息")
        verbose_name_plural = _("收支信息")
        ordering = ["-window_end", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["household", "kind", "window_end"], name="snapshot_unique_point"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year} {self.window_end}"

    @property
    def net_income(self) -> Decimal:
        return rules.household_net_income(self.components())

    @cached_property
    def figures(self) -> rules.SnapshotFigures:
        """Per-capita and inclusion reference income by the county's rules in force
        (household_size_rule, inclusion_reference_income_formula). [R-MON-3]"""
        household = self.household
        area, on = household.village, self.window_end
        size_rule = str(policy_get("household_size_rule", area=area, on=on).value)
        formula = str(policy_get("inclusion_reference_income_formula", area=area, on=on).value)
        by_members = size_rule == rules.ACTIVE_MEMBERS
        active = household.members.filter(status=PersonStatus.ACTIVE).count() if by_members else 0
        return rules.snapshot_figures(
            self.components(),
            snapshot_size=self.household_size,
            active_members=active,
            size_rule=size_rule,
            formula=formula,
        )

    @property
    def per_capita_net_income(self) -> Decimal:
        return self.figures.per_capita

    def components(self) -> rules.IncomeComponents:
        return rules.IncomeComponents(
            wage=self.wage_income,
            business=self.business_income,
            property=self.property_income,
            transfer=self.transfer_income,
            business_expense=self.business_expense,
            insurance_claims=self.insurance_claim_income,
            eligible_out_of_pocket=self.eligible_out_of_pocket,
        )


class MigrantWork(models.Model):
    """One dated spell of migrant work (务工) of one member: start month, end
    month (empty = still working). The person's 务工所在地 field is what the
    national system holds; these records are the dated history behind DQ-19
    and DQ-20. [DOMAIN §4.14]"""

    area_scope = AreaScope(village="person__household__village_code", grid="person__household__grid_id")

    person = models.ForeignKey(Person, verbose_name=_("成员"), on_delete=models.PROTECT, related_name="migrant_work")
    # Months are stored as the first day of the month.
    start_month = models.DateField(_("务工开始月份"))
    end_month = models.DateField(_("务工结束月份"), null=True, blank=True)
    location = models.CharField(_("务工所在地"), max_length=16, choices=WorkLocation.choices)
    place = models.CharField(_("务工地点"), max_length=100, blank=True)
    industry = models.CharField(_("行业"), max_length=60, blank=True)
    employer = models.CharField(_("用工单位"), max_length=100, blank=True)
    monthly_income = models.DecimalField(_("月收入（元）"), max_digits=9, decimal_places=2, null=True, blank=True)
    source = models.CharField(_("信息来源"), max_length=16, choices=MigrantWorkSource.choices)
    version = models.PositiveIntegerField(default=1)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("务工记录")
        verbose_name_plural = _("务工记录")
        ordering = ["-start_month", "-id"]
        indexes = [models.Index(fields=["person", "start_month"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_month__isnull=True) | models.Q(end_month__gte=models.F("start_month")),
                name="migrant_work_end_after_start",
            ),
            # At most one open spell per person, enforced by the database.
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(end_month__isnull=True), name="migrant_work_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.start_month:%Y-%m}"


class HouseholdChange(models.Model):
    """One explicit household operation, kept as history. [DOMAIN §2.3]"""

    area_scope = AreaScope(village="household__village_code", grid="household__grid_id")

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("变更类型"), max_length=20, choices=ChangeKind.choices)
    occurred_on = models.DateField(_("发生日期"))
    reason = models.CharField(_("原因"), max_length=20, blank=True)
    note = models.TextField(_("说明"), blank=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)
    related_household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="changes")
    from_village_code = models.CharField(max_length=12, blank=True)
    to_village_code = models.CharField(max_length=12, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("户变更记录")
        verbose_name_plural = _("户变更记录")
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.household_id} {self.kind} {self.occurred_on}"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("已上传")
    VALIDATING = "validating", _("校验中")
    VALIDATED = "validated", _("校验完成，待确认")
    APPLYING = "applying", _("导入中")
    APPLIED = "applied", _("已导入")
    FAILED = "failed", _("失败")
    DISCARDED = "discarded", _("已放弃")


class ImportBatch(models.Model):
    """One uploaded registry file, staged: nothing is written until accepted."""

    # Scoped by the uploader's area: a county sees its townships' batches.
    area_scope = AreaScope(village="scope_code")

    file_name = models.CharField(_("文件名"), max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    file_size = models.BigIntegerField(default=0)
    encoding = models.CharField(_("编码"), max_length=20, blank=True)
    scope_code = models.CharField(max_length=15, db_index=True)
    status = models.CharField(_("状态"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    message = models.TextField(blank=True)
    stats = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    validated_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"

    @property
    def ref(self) -> str:
        return f"import-{self.pk}"


class ImportIssue(models.Model):
    """One problem in one cell (or row) of an uploaded file, in Chinese."""

    area_scope = AreaScope(village="batch__scope_code")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="issues")
    row = models.PositiveIntegerField(_("行号"))
    column = models.CharField(_("列"), max_length=60, blank=True)
    value = models.CharField(_("填写内容"), max_length=200, blank=True)
    message = models.CharField(_("问题"), max_length=500)
    household_code = models.CharField(_("户编号"), max_length=32, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入问题")
        verbose_name_plural = _("导入问题")
        ordering = ["row", "id"]

    def __str__(self) -> str:
        return f"#{self.batch_id} 第{self.row}行 {self.column}"
