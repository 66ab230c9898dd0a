"""Import pages: upload, follow validation, read the report, accept or discard."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fangpin.accounts.http import AuthedRequest
from fangpin.core.actor import Actor
from fangpin.core.jobs import job_reap_dead, read_progress
from fangpin.core.models import Job
from fangpin.core.scoping import get_visible_or_404, visible
from fangpin.core.views_util import scoped_view
from fangpin.registry.forms import UploadForm
from fangpin.registry.importing.report import issues_xlsx
from fangpin.registry.importing.schema import COLUMNS
from fangpin.registry.importing.services import (
    earlier_import,
    import_accept,
    import_create,
    import_discard,
    import_refresh,
    import_revalidate,
)
from fangpin.registry.models import ImportBatch, ImportStatus

ACTIVE = (ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.APPLYING)


@scoped_view("registry.import")
def batch_list(request: AuthedRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = import_create(actor=Actor.from_request(request), stream=upload, file_name=upload.name)
        return redirect("registry:import-detail", pk=batch.pk)
    job_reap_dead()  # a batch whose job was killed is listed as failed, not 导入中
    batches = visible(ImportBatch.objects.select_related("created_by"), request.user)[:50]
    return render(request, "registry/import_list.html", {"form": form, "batches": batches, "columns": COLUMNS})


def _progress(batch: ImportBatch) -> dict[str, object]:
    kind = "registry.import.apply" if batch.status == ImportStatus.APPLYING else "registry.import.validate"
    job = Job.objects.filter(kind=kind, params__batch=batch.pk).order_by("-id").first()
    info = read_progress(job.pk) if job else {"done": 0, "total": 0}
    total = info.get("total") or 0
    percent = int(100 * info.get("done", 0) / total) if total else 0
    return {"job": job, "percent": min(percent, 100), **info}


@scoped_view("registry.import")
def batch_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = import_refresh(batch=get_visible_or_404(ImportBatch, request.user, pk=pk))
    context = {
        "batch": batch,
        "active": batch.status in ACTIVE,
        "progress": _progress(batch),
        "issues": batch.issues.all()[:300],
        "issue_count": batch.stats.get("issues", 0),
        "previous": earlier_import(batch) if batch.status == ImportStatus.VALIDATED else None,
        "preview": batch.stats.get("preview", {}),
        "applied": batch.stats.get("applied", {}),
    }
    if getattr(request, "htmx", False):
        return render(request, "registry/import_detail.html#status", context)
    return render(request, "registry/import_detail.html", context)


@scoped_view("registry.import")
def batch_report(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = get_visible_or_404(ImportBatch, request.user, pk=pk)
    response = HttpResponse(
        issues_xlsx(batch), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-issues.xlsx"'
    return response


@require_POST
@scoped_view("registry.import")
def batch_accept(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = get_visible_or_404(ImportBatch, request.user, pk=pk)
    import_accept(actor=Actor.from_request(request), batch=batch)
    messages.info(request, "已开始导入。")
    return redirect("registry:import-detail", pk=batch.pk)


@require_POST
@scoped_view("registry.import")
def batch_revalidate(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = get_visible_or_404(ImportBatch, request.user, pk=pk)
    import_revalidate(actor=Actor.from_request(request), batch=batch)
    messages.info(request, "已开始重新校验。")
    return redirect("registry:import-detail", pk=batch.pk)


@require_POST
@scoped_view("registry.import")
def batch_discard(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = get_visible_or_404(ImportBatch, request.user, pk=pk)
    import_discard(actor=Actor.from_request(request), batch=batch)
    messages.info(request, "已放弃该批次，未写入任何数据。")
    return redirect("registry:import-list")
