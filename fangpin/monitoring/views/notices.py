"""Notices (公示/公告) with masked data, print stylesheet and PDF; objections."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fangpin.accounts.http import AuthedRequest
from fangpin.core.actor import Actor
from fangpin.core.errors import InvalidInput
from fangpin.core.views_util import scoped_view
from fangpin.monitoring import selectors
from fangpin.monitoring.forms import ObjectionForm, ObjectionHandleForm
from fangpin.monitoring.models import PublicNotice
from fangpin.monitoring.pdf import notice_pdf
from fangpin.monitoring.services import objection_handle, objection_record
from fangpin.monitoring.views.common import page_of

COLUMNS = [
    ("name", "户主姓名"),
    ("village", "所在村"),
    ("size", "家庭人口"),
    ("category", "类别"),
    ("risk_types", "风险类型"),
]


def _back(notice: PublicNotice) -> HttpResponse:
    if notice.identification_case_id:
        return redirect("monitoring:case-detail", pk=notice.identification_case_id)
    return redirect("monitoring:elimination-detail", pk=notice.elimination_case_id)


@scoped_view("monitoring.view")
def notice_list(request: AuthedRequest) -> HttpResponse:
    return render(
        request, "monitoring/notice_list.html", {"page": page_of(request, selectors.notice_list(user=request.user))}
    )


@scoped_view("monitoring.view")
def notice_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    notice = selectors.notice_get(user=request.user, pk=pk)
    return render(request, "monitoring/notice_detail.html", {"notice": notice, "columns": COLUMNS})


@scoped_view("monitoring.view")
def notice_pdf_view(request: AuthedRequest, pk: int) -> HttpResponse:
    notice = selectors.notice_get(user=request.user, pk=pk)
    rows = [[label for _, label in COLUMNS]] + [[str(item.get(k, "")) for k, _ in COLUMNS] for item in notice.items]
    footer = f"{notice.village.name}村民委员会　{notice.posted_on:%Y年%m月%d日}"
    content = notice_pdf(title=notice.title, body=notice.body, rows=rows, footer=footer)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{notice.pk}.pdf"'
    return response


@require_POST
@scoped_view("monitoring.act")
def objection_new(request: AuthedRequest, pk: int) -> HttpResponse:
    notice = selectors.notice_get(user=request.user, pk=pk)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("异议内容：不能为空")
    objection_record(notice=notice, actor=Actor.from_request(request), **form.cleaned_data)
    messages.success(request, "异议已登记；处理前不能进入乡镇审核。")
    return _back(notice)


@require_POST
@scoped_view("monitoring.act")
def objection_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    objection = selectors.objection_get(user=request.user, pk=pk)
    form = ObjectionHandleForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("处理结果：不能为空")
    data = form.cleaned_data
    objection_handle(
        objection=objection,
        upheld=data["upheld"],
        result=data["result"],
        actor=Actor.from_request(request),
        expected_version=data.get("version"),
    )
    messages.success(request, "异议已处理。")
    return _back(objection.notice)
