"""Upload size guards shared by every upload (registry imports, department feeds, evidence).

An oversize body is refused before it is written anywhere: the middleware refuses a request
whose Content-Length is past FANGPIN_UPLOAD_MAX_BYTES without reading it, the upload handler
stops a body that grows past the limit while it streams in (so the temporary file Django's
handlers were writing is closed and deleted), and `copy_limited` copies a stream into a
service's own file and deletes the partial file when the limit is passed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError

from fangpin.core.errors import DomainError, InvalidInput
from fangpin.core.views_util import error_response

MB = 1024 * 1024
# Room for the other form fields and the multipart boundaries around the file.
FORM_ALLOWANCE = 256 * 1024


class UploadTooLarge(DomainError):
    status = 413


def upload_limit() -> int:
    return int(settings.FANGPIN["UPLOAD_MAX_BYTES"])


def too_large(limit: int | None = None) -> UploadTooLarge:
    limit = upload_limit() if limit is None else limit
    size = f"{limit // MB}MB" if limit >= MB else f"{limit}字节"
    return UploadTooLarge(f"上传的文件超过{size}上限，未保存任何内容。请拆分后分批上传。")


class LimitedUploadHandler(FileUploadHandler):
    """Counts the file bytes of a request as they arrive; past the limit it marks the request
    and stops the upload (the parser then closes, and so deletes, every handler's file)."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.received = 0
        self.limit = upload_limit()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            if self.request is not None:
                # A flag on the request for the upload middleware, which reads it with getattr.
                self.request.fangpin_upload_refused = True  # type: ignore[attr-defined]
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the handlers after this one build the file


def _refuse(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": exc.message, "reasons": exc.reasons}, status=exc.status)
    return error_response(request, exc)


class UploadGuardMiddleware:
    """Refuses an oversize multipart body by its Content-Length before reading it, else parses
    it here through `LimitedUploadHandler` and refuses it if the handler stopped it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("POST", "PUT", "PATCH") and request.content_type == "multipart/form-data":
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > upload_limit() + FORM_ALLOWANCE:
                return _refuse(request, too_large())
            try:
                request.FILES  # noqa: B018 - parse now, through the guard
            except MultiPartParserError:
                return _refuse(request, InvalidInput("上传内容格式有误，请重新选择文件上传。"))
            if getattr(request, "fangpin_upload_refused", False):
                return _refuse(request, too_large())
        return self.get_response(request)


def copy_limited(stream: IO[bytes], target: Path, *, limit: int | None = None) -> tuple[str, int]:
    """Copy `stream` into `target` (SHA-256, size); past the limit the partial file is deleted
    and the upload refused, so nothing of it stays on disk."""
    limit = upload_limit() if limit is None else limit
    digest, size = hashlib.sha256(), 0
    try:
        with open(target, "wb") as out:
            for chunk in iter(lambda: stream.read(MB), b""):
                size += len(chunk)
                if size > limit:
                    raise too_large(limit)
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return digest.hexdigest(), size
