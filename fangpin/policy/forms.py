from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangpin.core.forms import DateInput, StyledForm
from fangpin.policy.catalog import CATALOG
from fangpin.policy.models import HolidayKind


class ParameterForm(StyledForm):
    key = forms.ChoiceField(label=_("参数"))
    mode = forms.ChoiceField(
        label=_("收入标准方式"),
        required=False,
        choices=[("fixed_amount", _("固定金额（元/人·年）")), ("multiple_of_dibao", _("农村低保标准的倍数"))],
    )
    # Long enough for the measure catalogue and the risk ↔ measure table (text forms).
    value = forms.CharField(
        label=_("取值（金额、倍数、代码或对应表）"), max_length=8000, widget=forms.Textarea(attrs={"rows": 2})
    )
    effective_from = forms.DateField(label=_("生效日期"), widget=DateInput(), initial=timezone.localdate)
    source_document = forms.CharField(label=_("依据文件（文号）"), max_length=300, required=False)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("key").choices = [(k, spec.label) for k, spec in CATALOG.items()]

    def service_value(self) -> object:
        spec = CATALOG[self.cleaned_data["key"]]
        raw = self.cleaned_data["value"].strip()
        if spec.kind == "income_line":
            mode = self.cleaned_data.get("mode") or "fixed_amount"
            return {"mode": mode, "amount" if mode == "fixed_amount" else "multiple": raw}
        return raw


class CalendarDayForm(StyledForm):
    day = forms.DateField(label=_("日期"), widget=DateInput())
    kind = forms.ChoiceField(label=_("类型"), choices=HolidayKind.choices)
    name = forms.CharField(label=_("名称（如春节、国庆节）"), max_length=60, required=False)
    source_document = forms.CharField(label=_("依据文件（首次录入该年时必填）"), max_length=300, required=False)


class CalendarDeleteForm(StyledForm):
    day = forms.DateField(label=_("日期"), widget=DateInput())


class CalendarLoadForm(StyledForm):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    source_document = forms.CharField(
        label=_("依据文件"),
        max_length=300,
        help_text=_("如：国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕N号）"),
    )
    file = forms.FileField(label=_("放假安排文件（.csv 或 .xlsx，列：日期,类型,名称）"))
