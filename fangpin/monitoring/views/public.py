"""The public self-report page: no login, phone-sized, light. [DOMAIN §2.6]"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from fangpin.core.errors import DomainError
from fangpin.core.scoping import PUBLIC, classify
from fangpin.monitoring.forms import SelfReportForm, StatusCheckForm
from fangpin.monitoring.services import clue_public_status, clue_self_report


def _client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")[:45]


@classify(PUBLIC)
@require_http_methods(["GET", "POST"])
def self_report(request: HttpRequest) -> HttpResponse:
    form = SelfReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            clue = clue_self_report(
                village=data["village"],
                reporter_name=data["reporter_name"],
                id_number=data["id_number"],
                reporter_phone=data["reporter_phone"],
                summary=data["summary"],
                risk_types=data["risk_types"],
                client_address=_client_address(request),
                idempotency_key=data.get("idempotency_key") or None,
                consent=data["consent"],
            )
        except DomainError as exc:
            for reason in exc.reasons or [exc.message]:
                form.add_error(None, reason)
        else:
            return render(request, "monitoring/public_done.html", {"clue": clue})
    return render(request, "monitoring/public_report.html", {"form": form}, status=400 if form.errors else 200)


@classify(PUBLIC)
@require_http_methods(["GET"])
def self_report_status(request: HttpRequest) -> HttpResponse:
    form = StatusCheckForm(request.GET or None)
    clue, searched = None, False
    if form.is_bound and form.is_valid():
        searched = True
        clue = clue_public_status(
            tracking_code=form.cleaned_data["tracking_code"], id_last4=form.cleaned_data["id_last4"]
        )
    return render(request, "monitoring/public_status.html", {"form": form, "clue": clue, "searched": searched})
