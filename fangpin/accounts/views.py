"""Login and personal API tokens (the home page is fangpin.reports.home: it counts what the apps
above accounts hold)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fangpin.accounts.forms import LoginForm, TokenForm
from fangpin.accounts.http import AuthedRequest
from fangpin.accounts.services import token_create, token_revoke
from fangpin.core.actor import Actor
from fangpin.core.scoping import GLOBAL, PUBLIC, classify
from fangpin.core.views_util import scoped_view

login = classify(PUBLIC)(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html",
        authentication_form=LoginForm,
        redirect_authenticated_user=True,
    )
)
logout = classify(GLOBAL)(auth_views.LogoutView.as_view())


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """What django-axes answers on any login path while the username is locked from this address."""
    # An unbound form: binding it would run authenticate() (and its audit row) a second time.
    form = LoginForm(request, initial={"username": request.POST.get("username", "")})
    message = LoginForm.error_messages["locked"] % {"minutes": settings.FANGPIN["LOCKOUT_MINUTES"]}
    context = {"form": form, "locked": message, "next": request.POST.get("next", "")}
    return render(request, "accounts/login.html", context, status=429)


@scoped_view("api.token")
def tokens(request: AuthedRequest) -> HttpResponse:
    new_key = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _, new_key = token_create(
            actor=Actor.from_request(request),
            user=request.user,
            name=form.cleaned_data["name"],
            days=form.cleaned_data["days"],
        )
        form = TokenForm()
    items = request.user.api_tokens.order_by("-id")
    return render(request, "accounts/tokens.html", {"form": form, "tokens": items, "new_key": new_key})


@require_POST
@scoped_view("api.token")
def token_revoke_view(request: AuthedRequest, pk: int) -> HttpResponse:
    token_revoke(actor=Actor.from_request(request), token_id=pk)
    messages.success(request, "令牌已吊销。")
    return redirect("accounts:tokens")
