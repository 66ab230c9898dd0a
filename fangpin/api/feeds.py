"""Department liaisons' API: upload a feed file, follow its run (no registry data)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from fangpin.api.common import api_actor, need
from fangpin.api.schemas import ErrorOut
from fangpin.core.scoping import SCOPED, classify, get_visible_or_404
from fangpin.datafeeds.models import FeedRun
from fangpin.datafeeds.services import feed_run_create

router = Router(tags=["部门数据比对"])


class RunOut(Schema):
    id: int
    source: str
    period: str
    file_name: str
    status: str
    message: str
    stats: dict[str, Any]


def _out(run: FeedRun) -> dict[str, Any]:
    stats = {k: v for k, v in (run.stats or {}).items() if k != "feedback"}
    return {
        "id": run.pk,
        "source": run.source,
        "period": run.period,
        "file_name": run.file_name,
        "status": run.status,
        "message": run.message,
        "stats": stats,
    }


@router.post("/runs", response={201: RunOut, 400: ErrorOut, 403: ErrorOut}, summary="上传一个部门数据文件并比对")
@classify(SCOPED)
def create_run(request: HttpRequest, source: Form[str], period: Form[str], file: File[UploadedFile]) -> Any:
    need(request, "datafeeds.upload")
    run = feed_run_create(
        actor=api_actor(request),
        source=source,
        period=period,
        stream=file,
        file_name=file.name or "upload",
    )
    run.refresh_from_db()
    return Status(201, _out(run))


@router.get("/runs/{run_id}", response={200: RunOut, 403: ErrorOut, 404: ErrorOut}, summary="比对批次的状态和统计")
@classify(SCOPED)
def get_run(request: HttpRequest, run_id: int) -> dict[str, Any]:
    need(request, "datafeeds.upload")
    return _out(get_visible_or_404(FeedRun, request.user, pk=run_id))
