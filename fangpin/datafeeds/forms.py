"""Forms of the data-feed pages: shape only; the services check policy."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fangpin.datafeeds.models import SOURCE_CHOICES


class FeedUploadForm(forms.Form):
    source = forms.ChoiceField(label=_("数据来源"), choices=SOURCE_CHOICES)
    period = forms.RegexField(
        label=_("数据期间"),
        regex=r"^20\d\d-(0[1-9]|1[0-2])$",
        error_messages={"invalid": _("数据期间格式应为“年-月”，如 2026-10。")},
    )
    file = forms.FileField(label=_("数据文件（.xlsx / .csv / .parquet）"))


class RuleEditForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=200)
    condition = forms.CharField(label=_("触发条件"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
