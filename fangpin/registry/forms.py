"""Registry forms check shape only; the services decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fangpin.core.forms import DateInput, StyledForm
from fangpin.registry.choices import (
    DisabilityType,
    Education,
    HouseholdType,
    HouseRating,
    LabourCapacity,
    LegacyPoorClass,
    MemberAddReason,
    MigrantWorkSource,
    PersonStatus,
    Relationship,
    SnapshotKind,
    StudentStatus,
    WorkLocation,
)
from fangpin.registry.person_data import BOOL_FIELDS, FIELD_LABELS

NON_HEAD = [(v, label) for v, label in Relationship.choices if v != Relationship.HEAD]
REMOVAL = [(v, label) for v, label in PersonStatus.choices if v != PersonStatus.ACTIVE]


def _blank(choices: Any) -> list[tuple[str, str]]:
    return [("", "—"), *[(v, label) for v, label in choices if v != ""]]


class SearchForm(StyledForm):
    q = forms.CharField(label=_("姓名 / 身份证号 / 户编号"), required=False, max_length=40)
    village = forms.ChoiceField(label=_("村"), required=False)
    inactive = forms.BooleanField(label=_("含已减员人员"), required=False)
    legacy_class = forms.ChoiceField(
        label=_("脱贫户分类管理"), required=False, choices=[("", _("全部")), *LegacyPoorClass.choices]
    )

    def __init__(self, *args: Any, villages: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("village").choices = [("", _("全部")), *villages]


class PersonForm(StyledForm):
    name = forms.CharField(label=FIELD_LABELS["name"], max_length=50)
    id_number = forms.CharField(label=FIELD_LABELS["id_number"], max_length=30)
    relationship = forms.ChoiceField(label=FIELD_LABELS["relationship"], choices=Relationship.choices)
    ethnicity = forms.CharField(label=FIELD_LABELS["ethnicity"], max_length=20, required=False, initial="汉族")
    political_status = forms.CharField(label=FIELD_LABELS["political_status"], max_length=20, required=False)
    education = forms.ChoiceField(label=FIELD_LABELS["education"], choices=_blank(Education.choices), required=False)
    student_status = forms.ChoiceField(
        label=FIELD_LABELS["student_status"], choices=StudentStatus.choices, required=False
    )
    disability_grade = forms.CharField(label=FIELD_LABELS["disability_grade"], required=False, max_length=2)
    disability_type = forms.ChoiceField(
        label=FIELD_LABELS["disability_type"], choices=DisabilityType.choices, required=False
    )
    labour_capacity = forms.ChoiceField(label=FIELD_LABELS["labour_capacity"], choices=_blank(LabourCapacity.choices))
    work_location = forms.ChoiceField(label=FIELD_LABELS["work_location"], choices=WorkLocation.choices, required=False)
    work_months = forms.CharField(label=FIELD_LABELS["work_months"], required=False, max_length=3)
    phone = forms.CharField(label=FIELD_LABELS["phone"], required=False, max_length=20)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, editing: bool = False, masked: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        for name in BOOL_FIELDS:
            self.fields[name] = forms.BooleanField(label=FIELD_LABELS[name], required=False)
            self.fields[name].widget.attrs["class"] = "form-check-input"
        if editing:
            # The stored number is never sent to the browser; typing one replaces it.
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _("留空表示不修改")
            self.fields["relationship"].disabled = True
            self.fields["phone"].help_text = _("留空表示不修改")
            for name, value in (masked or {}).items():
                self.fields[name].widget.attrs["placeholder"] = value

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if not data.get("id_number"):
            data.pop("id_number", None)
        if self.editing and not data.get("phone"):
            data.pop("phone", None)
        if self.fields["relationship"].disabled:
            data.pop("relationship", None)
        return data


class AddMemberForm(PersonForm):
    reason = forms.ChoiceField(label=_("增员原因"), choices=MemberAddReason.choices)
    occurred_on = forms.DateField(label=_("发生日期"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("relationship").choices = NON_HEAD

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        for key in ("reason", "occurred_on", "note"):
            data.pop(key, None)
        return data


class RemoveMemberForm(StyledForm):
    status = forms.ChoiceField(label=_("减员原因"), choices=REMOVAL)
    occurred_on = forms.DateField(label=_("发生日期"), widget=DateInput(), initial=timezone.localdate)
    new_head = forms.TypedChoiceField(label=_("新户主（减少户主时必选）"), required=False, coerce=int, empty_value=None)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, others: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("new_head").choices = [("", "—"), *[(p.pk, p.name) for p in others]]


class ChangeHeadForm(StyledForm):
    new_head = forms.TypedChoiceField(label=_("新户主"), coerce=int)
    old_head_relationship = forms.ChoiceField(label=_("原户主与新户主的关系"), choices=NON_HEAD)
    occurred_on = forms.DateField(label=_("变更日期"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, members: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("new_head").choices = [(p.pk, p.name) for p in members]


class _RelationshipsMixin:
    fields: dict[str, forms.Field]  # the form's, which this mixin is mixed into

    def add_relationship_fields(self, members: Any, label: str | Promise) -> None:
        self.member_fields = []
        for person in members:
            name = f"rel_{person.pk}"
            self.fields[name] = forms.ChoiceField(
                label=f"{person.name}{label}",
                choices=NON_HEAD,
                required=False,
                initial=Relationship.OTHER,
            )
            self.fields[name].widget.attrs["class"] = "form-select"
            self.member_fields.append(name)

    def relationships(self) -> dict[int, str]:
        return {int(k[4:]): v for k, v in self.cleaned_data.items() if k.startswith("rel_") and v}  # type: ignore[attr-defined]


class SplitForm(_RelationshipsMixin, StyledForm):
    members = forms.TypedMultipleChoiceField(label=_("分出的成员"), coerce=int, widget=forms.CheckboxSelectMultiple)
    new_head = forms.TypedChoiceField(label=_("新户户主"), coerce=int)
    new_code = forms.CharField(label=_("新户户编号"), max_length=32)
    occurred_on = forms.DateField(label=_("分户日期"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, members: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(p.pk, p.name) for p in members]
        self.choice_field("members").choices = choices
        self.choice_field("new_head").choices = choices
        self.add_relationship_fields(members, _("与新户主的关系"))


class MergeForm(_RelationshipsMixin, StyledForm):
    target_code = forms.CharField(label=_("并入户的户编号"), max_length=32)
    occurred_on = forms.DateField(label=_("并户日期"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, members: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_relationship_fields(members, _("与并入户户主的关系"))


class TransferForm(StyledForm):
    to_village = forms.ChoiceField(label=_("迁入村"))
    to_grid = forms.CharField(label=_("网格编码（可空）"), required=False, max_length=15)
    occurred_on = forms.DateField(label=_("迁移日期"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, villages: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("to_village").choices = [
            (v.code, f"{v.parent.name} {v.name}" if v.parent else v.name) for v in villages
        ]


class HouseholdForm(StyledForm):
    household_type = forms.ChoiceField(label=_("户类型"), choices=HouseholdType.choices)
    escape_year = forms.CharField(label=_("脱贫年度"), required=False, max_length=4)
    legacy_poor_class = forms.ChoiceField(
        label=_("脱贫户分类管理"), choices=_blank(LegacyPoorClass.choices), required=False
    )
    address = forms.CharField(label=_("家庭住址"), required=False, max_length=200)
    natural_village = forms.CharField(label=_("自然村（组）"), required=False, max_length=60)
    phone = forms.CharField(label=_("联系电话（留空不修改）"), required=False, max_length=20)
    house_rating = forms.ChoiceField(label=_("住房安全等级"), choices=_blank(HouseRating.choices), required=False)
    is_military_martyr_family = forms.BooleanField(label=_("军烈属"), required=False)
    is_relocated = forms.BooleanField(label=_("易地扶贫搬迁户"), required=False)
    no_labour_safety_net = forms.BooleanField(label=_("整户无劳动能力兜底保障户"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if not data.get("phone"):
            data.pop("phone", None)
        return data


class SnapshotForm(StyledForm):
    # 风险消除时 is the post-elimination record R-EL-5 / DQ-05 ask for: a cadre must be able to enter it here.
    kind = forms.ChoiceField(label=_("类型"), choices=SnapshotKind.choices, initial=SnapshotKind.ANNUAL)
    year = forms.IntegerField(label=_("收入年度"), min_value=2014, max_value=2100)
    window_start = forms.DateField(label=_("收入计算起始日"), widget=DateInput())
    window_end = forms.DateField(label=_("收入计算截止日"), widget=DateInput())
    household_size = forms.IntegerField(label=_("共同生活人口"), min_value=1, max_value=50)
    wage_income = forms.DecimalField(label=_("工资性收入"), decimal_places=2, max_digits=12, initial=0)
    business_income = forms.DecimalField(label=_("生产经营性收入"), decimal_places=2, max_digits=12, initial=0)
    property_income = forms.DecimalField(label=_("财产性收入"), decimal_places=2, max_digits=12, initial=0)
    transfer_income = forms.DecimalField(label=_("转移性收入"), decimal_places=2, max_digits=12, initial=0)
    business_expense = forms.DecimalField(label=_("生产经营性支出"), decimal_places=2, max_digits=12, initial=0)
    insurance_claim_income = forms.DecimalField(label=_("理赔收入"), decimal_places=2, max_digits=12, initial=0)
    eligible_out_of_pocket = forms.DecimalField(label=_("合规自付支出"), decimal_places=2, max_digits=12, initial=0)
    house_unsafe = forms.NullBooleanField(label=_("住房出现安全问题"), required=False)
    child_out_of_school = forms.NullBooleanField(label=_("义务教育阶段适龄儿童失学辍学"), required=False)
    water_unsafe = forms.NullBooleanField(label=_("饮水出现安全问题"), required=False)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=[("id_number", "id_number"), ("phone", "phone")])
    reason = forms.CharField(max_length=200, required=False)


class UploadForm(StyledForm):
    file = forms.FileField(label=_("农户信息文件（.xlsx 或 .csv）"))


class MonthInput(forms.TextInput):
    input_type = "month"


class MigrantWorkForm(StyledForm):
    """One spell of migrant work; months as 2026-03. The service checks overlaps."""

    person = forms.ChoiceField(label=_("成员"))
    start_month = forms.CharField(label=_("务工开始月份"), widget=MonthInput(), max_length=10)
    end_month = forms.CharField(
        label=_("务工结束月份（仍在务工则不填）"), widget=MonthInput(), max_length=10, required=False
    )
    location = forms.ChoiceField(label=_("务工所在地"), choices=_blank(WorkLocation.choices))
    place = forms.CharField(label=_("务工地点"), max_length=100, required=False)
    industry = forms.CharField(label=_("行业"), max_length=60, required=False)
    employer = forms.CharField(label=_("用工单位"), max_length=100, required=False)
    monthly_income = forms.DecimalField(
        label=_("月收入（元）"), decimal_places=2, max_digits=9, min_value=0, required=False
    )
    source = forms.ChoiceField(
        label=_("信息来源"), choices=[c for c in MigrantWorkSource.choices if c[0] != MigrantWorkSource.DEMO]
    )

    def __init__(self, *args: Any, members: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("person").choices = [(str(p.pk), p.name) for p in members]


class MigrantWorkEndForm(forms.Form):
    end_month = forms.CharField(max_length=10)
    version = forms.IntegerField(required=False)
