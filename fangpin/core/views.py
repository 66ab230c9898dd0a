"""Cross-domain pages: the audit log viewer and job-produced downloads."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from fangpin.core.jobs import read_progress
from fangpin.core.keyset import parse_cursor
from fangpin.core.models import Job, JobStatus
from fangpin.core.selectors import AuditFilter, audit_search
from fangpin.core.views_util import is_htmx, login_view, scoped_view


@scoped_view("audit.view")
def audit_list(request: HttpRequest) -> HttpResponse:
    filters = AuditFilter.from_query(request.GET)
    page = audit_search(user=request.user, filters=filters, cursor=parse_cursor(request.GET.get("cursor")), size=100)
    params = request.GET.copy()
    params.pop("cursor", None)
    context = {"page": page, "f": filters, "params": params.urlencode(), "actions": AuditFilter.action_choices()}
    if is_htmx(request) and request.GET.get("cursor"):
        return render(request, "core/audit_list.html#rows", context)
    return render(request, "core/audit_list.html", context)


def _own_job(request: HttpRequest, pk: int) -> Job:
    # By id: core sits below accounts, so the user is not typed as accounts' User here.
    job = Job.objects.filter(pk=pk, requested_by_id=request.user.pk).first()
    if job is None:
        raise Http404
    return job


@login_view
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    info = read_progress(job.pk)
    total = info.get("total") or 0
    percent = int(100 * info.get("done", 0) / total) if total else 0
    template = "core/job_status.html#status" if is_htmx(request) else "core/job_status.html"
    return render(
        request,
        template,
        {"job": job, "percent": min(percent, 100), "active": job.status in (JobStatus.QUEUED, JobStatus.RUNNING)},
    )


@login_view
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _own_job(request, pk)
    ttl = timedelta(hours=int(settings.FANGPIN["EXPORT_TTL_HOURS"]))
    name = (job.result or {}).get("file")
    if job.status != JobStatus.DONE or not name or (job.finished_at and timezone.now() - job.finished_at > ttl):
        raise Http404
    path = Path(settings.FANGPIN["EXPORT_DIR"]) / Path(name).name
    if not path.exists():
        raise Http404
    return FileResponse(open(path, "rb"), as_attachment=True, filename=path.name)
