"""Forms check shape only; policy lives in rules/services."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangpin.areas.models import Area, AreaLevel
from fangpin.core.forms import StyledForm
from fangpin.monitoring.choices import (
    ClueSource,
    DisasterSubtype,
    EliminationMode,
    MonitoringCategory,
    RiskType,
)


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return obj.full_name if obj.level == AreaLevel.VILLAGE else obj.name


def villages_under(area: Area | None, county_code: str = "") -> Any:
    qs = Area.objects.filter(level=AreaLevel.VILLAGE).select_related("parent")
    if area is not None:
        qs = qs.filter(code__startswith=area.prefix)
    elif county_code:
        qs = qs.filter(code__startswith=county_code[:6])
    return qs.order_by("code")


class IdempotentForm(StyledForm):
    """A hidden one-time key: a double-clicked submit creates one record."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class SelfReportForm(IdempotentForm):
    village = VillageChoiceField(label=_("所在村"), queryset=Area.objects.none())
    reporter_name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=20)
    reporter_phone = forms.CharField(label=_("手机号"), max_length=11, min_length=11)
    risk_types = forms.MultipleChoiceField(
        label=_("遇到的困难（可多选）"), choices=RiskType.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    summary = forms.CharField(label=_("情况说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    consent = forms.BooleanField(
        label=_("我已阅读上方告知，同意将填写的信息（含身份证号、手机号和家庭困难情况）用于防返贫监测核实"),
        error_messages={"required": _("请阅读告知并勾选同意，否则无法受理申报")},
    )

    def __init__(self, *args: Any, villages: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.model_choice_field("village").queryset = villages if villages is not None else villages_under(None)
        self.fields["id_number"].widget.attrs.update({"autocomplete": "off", "inputmode": "text"})
        self.fields["reporter_phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})


class StatusCheckForm(StyledForm):
    tracking_code = forms.CharField(label=_("查询码"), max_length=16)
    id_last4 = forms.CharField(label=_("身份证号后4位"), max_length=4, min_length=4)


class ClueForm(IdempotentForm):
    source = forms.ChoiceField(label=_("线索来源"), choices=ClueSource.choices)
    village = VillageChoiceField(label=_("所在村"), queryset=Area.objects.none())
    household_code = forms.CharField(label=_("户编号（已知时填写）"), max_length=32, required=False)
    source_ref = forms.CharField(label=_("来源编号（工单号、预警编号等）"), max_length=64, required=False)
    reporter_name = forms.CharField(label=_("反映人"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=_("反映人电话"), max_length=20, required=False)
    risk_types = forms.MultipleChoiceField(
        label=_("反映的风险类型"), choices=RiskType.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    summary = forms.CharField(label=_("线索内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, villages: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.model_choice_field("village").queryset = villages


class ActionForm(StyledForm):
    action = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("理由 / 反馈意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label=_("情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    household_code = forms.CharField(label=_("关联户编号"), max_length=32, required=False)


class StartIdentificationForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    green_channel = forms.BooleanField(label=_("启动绿色通道（先帮扶后认定）"), required=False)
    household_code = forms.CharField(label=_("户编号"), max_length=32, required=False)
    category = forms.ChoiceField(label=_("拟纳入类别"), choices=MonitoringCategory.choices)
    risk_types = forms.MultipleChoiceField(
        label=_("风险类型（最多5项）"), choices=RiskType.choices, widget=forms.CheckboxSelectMultiple
    )
    disaster_subtype = forms.ChoiceField(
        label=_("自然灾害子项"), choices=[("", "—"), *DisasterSubtype.choices], required=False
    )
    monitoring_contact_name = forms.CharField(label=_("监测联系人"), max_length=50, required=False)
    monitoring_contact_phone = forms.CharField(label=_("监测联系人电话"), max_length=20, required=False)
    reason = forms.CharField(
        label=_("说明（绿色通道须填写）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ObjectionForm(StyledForm):
    content = forms.CharField(label=_("异议内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    raised_by_name = forms.CharField(label=_("提出人"), max_length=50, required=False)
    raised_by_phone = forms.CharField(label=_("提出人电话"), max_length=20, required=False)


class ObjectionHandleForm(StyledForm):
    upheld = forms.TypedChoiceField(
        label=_("处理意见"),
        choices=[("1", _("异议成立，退回核实")), ("0", _("异议不成立"))],
        coerce=lambda v: v == "1",
    )
    result = forms.CharField(label=_("处理结果"), widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class EliminationProposeForm(StyledForm):
    mode = forms.ChoiceField(label=_("消除方式"), choices=EliminationMode.choices)
    natural_reason = forms.ChoiceField(label=_("自然消除原因"), required=False)
    justification = forms.CharField(
        label=_("情况说明（自然消除必填）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    continuing_measures = forms.CharField(
        label=_("消除后延续的措施"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    exception_request = forms.CharField(
        label=_("申请县级特批的理由（仅在不满足上列条件、确有特殊情况时填写）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, reasons: list[tuple[str, str]], **kwargs: Any) -> None:
        """`reasons`: the natural-elimination codes in force for the episode's village."""
        super().__init__(*args, **kwargs)
        self.choice_field("natural_reason").choices = [("", "—"), *reasons]


class EpisodeUpdateForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    category = forms.ChoiceField(label=_("监测对象类别"), choices=MonitoringCategory.choices)
    risk_types = forms.MultipleChoiceField(
        label=_("风险类型（最多5项）"), choices=RiskType.choices, widget=forms.CheckboxSelectMultiple
    )
    disaster_subtype = forms.ChoiceField(
        label=_("自然灾害子项"), choices=[("", "—"), *DisasterSubtype.choices], required=False
    )
    monitoring_contact_name = forms.CharField(label=_("监测联系人"), max_length=50, required=False)
    reason = forms.CharField(label=_("变更理由"), widget=forms.Textarea(attrs={"rows": 2}))
