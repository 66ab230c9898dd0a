from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from fangpin.accounts.services import login_locked


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码错误。"),
        "inactive": _("该账号已停用。"),
        "locked": _("登录失败次数过多，账号已暂时锁定，请15分钟后再试或联系管理员。"),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if username and login_locked(username):
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        return super().clean()


class TokenForm(forms.Form):
    name = forms.CharField(label=_("用途"), max_length=100, required=False)
    days = forms.IntegerField(label=_("有效天数（空为长期）"), min_value=1, max_value=3650, required=False)
