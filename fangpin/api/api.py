"""The one OpenAPI document of fangpin (served at /api/v1/docs and /api/v1/openapi.json)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from fangpin.api import assistance, feeds, monitoring, registry
from fangpin.api.auth import AUTH
from fangpin.core.errors import DomainError

api = NinjaAPI(
    title="防返贫监测帮扶平台 API",
    version="1",
    description="所有接口与页面使用同一套区划范围和脱敏规则。机器调用请使用个人API令牌（Authorization: Bearer …）。",
    auth=AUTH,
    urls_namespace="api",
)
api.add_router("/registry", registry.router)
api.add_router("/assistance", assistance.router)
api.add_router("/monitoring", monitoring.router)
api.add_router("/feeds", feeds.router)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    request.fangpin_refusal = exc.message  # type: ignore[attr-defined]  # for the denied audit row
    return api.create_response(request, {"detail": exc.message, "reasons": exc.reasons}, status=exc.status)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "找不到该记录，或您无权查看。", "reasons": []}, status=404)


@api.exception_handler(OverflowError)
def _out_of_range(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    # A number past the database's 64-bit integers (e.g. household_id=99999999999999999999).
    return api.create_response(request, {"detail": "请求中的数值超出允许范围。", "reasons": []}, status=400)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "未登录或令牌无效。", "reasons": []}, status=401)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    reasons = [f"{'.'.join(str(p) for p in e.get('loc', []))}: {e.get('msg', '')}" for e in exc.errors]
    return api.create_response(request, {"detail": "请求参数有误。", "reasons": reasons}, status=422)
