from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    # The lockout itself is django-axes' (settings.AXES_*), on every login path; its page is
    # accounts.views.lockout_response with the "locked" message below.
    error_messages = {
        "invalid_login": _("用户名或密码错误。"),
        "inactive": _("该账号已停用。"),
        "locked": _("登录失败次数过多，该账号在当前网络已暂时锁定，请%(minutes)s分钟后再试或联系管理员。"),
    }


class TokenForm(forms.Form):
    name = forms.CharField(label=_("用途"), max_length=100, required=False)
    days = forms.IntegerField(label=_("有效天数（空为长期）"), min_value=1, max_value=3650, required=False)
