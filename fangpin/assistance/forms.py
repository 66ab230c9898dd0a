"""Assistance forms check shape only; the services decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangpin.assistance import rules
from fangpin.assistance.models import VisitMode, VisitorRole
from fangpin.assistance.services import ROLE_TO_VISITOR
from fangpin.core.forms import DateInput, StyledForm
from fangpin.monitoring.choices import RiskType


def measure_choices(types: Any = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The catalogue in force (the national seed when `types` is None) grouped by
    category, for a <select> with <optgroup>s; retired measures are not offered."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for t in (rules.MEASURE_TYPES if types is None else types).values():
        if not t.retired:
            groups.setdefault(rules.CATEGORIES[t.category], []).append((t.code, f"{t.name}（{t.department}）"))
    return [("", [("", "—")]), *groups.items()]


class PlanForm(StyledForm):
    risk_analysis = forms.CharField(
        label=_("风险分析（每种风险一行）"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    goals = forms.CharField(label=_("帮扶目标"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    contact_name = forms.CharField(label=_("帮扶联系人"), required=False, max_length=50)
    contact_phone = forms.CharField(label=_("帮扶联系人电话"), required=False, max_length=20)
    next_review_on = forms.DateField(label=_("下次复核日期"), required=False, widget=DateInput())
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())


class MeasureForm(StyledForm):
    measure_code = forms.ChoiceField(label=_("帮扶措施"), choices=measure_choices)
    person_id = forms.TypedChoiceField(label=_("帮扶对象"), required=False, coerce=int, empty_value=None)
    responsible_department = forms.CharField(
        label=_("责任单位"), required=False, max_length=60, help_text=_("不填则使用目录中的默认责任单位")
    )
    start_date = forms.DateField(label=_("开始日期"), widget=DateInput())
    end_date = forms.DateField(label=_("结束日期"), required=False, widget=DateInput())
    amount = forms.DecimalField(label=_("金额（元）"), required=False, min_value=0, max_digits=12, decimal_places=2)
    description = forms.CharField(label=_("措施说明"), required=False, max_length=300)

    def __init__(self, *args: Any, members: Any = (), types: Any = None, **kwargs: Any) -> None:
        """`types`: the measure catalogue in force for the household (catalogue.measure_types)."""
        super().__init__(*args, **kwargs)
        if types is not None:
            self.choice_field("measure_code").choices = measure_choices(types)
        self.choice_field("person_id").choices = [
            ("", _("全户")),
            *[(p.pk, f"{p.name}（{p.get_relationship_display()}）") for p in members],
        ]
        self.fields["start_date"].initial = timezone.localdate()


class TransitionForm(forms.Form):
    action = forms.CharField(max_length=20)
    reason = forms.CharField(required=False, max_length=300)
    on = forms.DateField(required=False)
    version = forms.IntegerField(required=False)


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("佐证材料（PDF/JPG/PNG）"))


class VisitForm(StyledForm):
    visited_on = forms.DateField(label=_("走访日期"), widget=DateInput())
    mode = forms.ChoiceField(label=_("走访方式"), choices=VisitMode.choices)
    visitor_role = forms.ChoiceField(label=_("走访人身份"), choices=VisitorRole.choices)
    findings = forms.CharField(label=_("走访情况"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    income_changed = forms.BooleanField(label=_("收入明显变化"), required=False)
    guarantee_problem = forms.BooleanField(label=_("“三保障”出现问题"), required=False)
    water_problem = forms.BooleanField(label=_("饮水出现问题"), required=False)
    household_signed = forms.BooleanField(label=_("农户签字认可"), required=False)
    new_risk = forms.BooleanField(label=_("发现新的返贫致贫风险（生成风险线索）"), required=False)
    risk_types = forms.MultipleChoiceField(
        label=_("发现的风险类型"), required=False, choices=RiskType.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, role: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = timezone.localdate()
        self.fields["visitor_role"].initial = ROLE_TO_VISITOR.get(role, VisitorRole.VILLAGE_CADRE)
