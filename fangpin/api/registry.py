"""Read API for areas, households and persons: the same scoping and masking as the pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from fangpin.api.common import api_actor, need, page_size
from fangpin.api.schemas import (
    AreaOut,
    ErrorOut,
    HouseholdDetailOut,
    HouseholdPage,
    IdLookupIn,
    PersonOut,
    PersonPage,
)
from fangpin.areas.selectors import areas_visible
from fangpin.core.errors import InvalidInput
from fangpin.core.keyset import parse_cursor
from fangpin.core.scoping import SCOPED, classify
from fangpin.registry.choices import LegacyPoorClass
from fangpin.registry.models import Household, IncomeSnapshot, Person
from fangpin.registry.selectors import SearchQuery, household_get, household_list, person_search
from fangpin.registry.services import household_read_logged, registry_search_logged

router = Router(tags=["农户信息库"])


def household_out(h: Household) -> dict[str, Any]:
    return {
        "id": h.pk,
        "national_household_code": h.national_household_code,
        "village_code": h.village_code,
        "grid_code": h.grid.code if h.grid else None,
        "household_type": h.household_type,
        "escape_year": h.escape_year,
        "address": h.address,
        "phone_masked": h.phone_masked,
        "status": h.status,
        "version": h.version,
    }


def person_out(p: Person) -> dict[str, Any]:
    fields = [f for f in PersonOut.model_fields if f not in ("id_number_masked", "phone_masked", "id")]
    return {
        "id": p.pk,
        "id_number_masked": p.id_number_masked,
        "phone_masked": p.phone_masked,
        **{f: getattr(p, f) for f in fields},
    }


def snapshot_out(s: IncomeSnapshot) -> dict[str, Any]:
    money = [
        "wage_income",
        "business_income",
        "property_income",
        "transfer_income",
        "business_expense",
        "insurance_claim_income",
        "eligible_out_of_pocket",
    ]
    return {
        "id": s.pk,
        "kind": s.kind,
        "year": s.year,
        "window_start": s.window_start,
        "window_end": s.window_end,
        "household_size": s.household_size,
        **{m: str(getattr(s, m)) for m in money},
        "net_income": str(s.net_income),
        "per_capita_net_income": str(s.per_capita_net_income),
    }


@router.get("/areas", response=list[AreaOut], summary="可见的行政区划")
@classify(SCOPED)
def list_areas(request: HttpRequest, level: str = "") -> list[dict[str, Any]]:
    qs = areas_visible(request.user).select_related("parent")
    if level:
        qs = qs.filter(level=level)
    return [
        {"code": a.code, "name": a.name, "level": a.level, "parent_code": a.parent.code if a.parent else None}
        for a in qs[:5000]
    ]


@router.get("/households", response={200: HouseholdPage, 403: ErrorOut}, summary="农户列表（游标分页）")
@classify(SCOPED)
def list_households(
    request: HttpRequest, village_code: str = "", legacy_poor_class: str = "", cursor: str = "", size: int = 50
) -> dict[str, Any]:
    need(request, "registry.view")
    if legacy_poor_class and legacy_poor_class not in LegacyPoorClass.values:
        raise InvalidInput("legacy_poor_class 须为 continue_assistance 或 exited_assistance")
    page = household_list(
        user=request.user,
        village_code=village_code,
        legacy_poor_class=legacy_poor_class,
        cursor=parse_cursor(cursor),
        size=page_size(size),
    )
    for h in page.items:
        h.grid = None if not h.grid_id else h.grid
    return {"items": [household_out(h) for h in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/households/{household_id}",
    response={200: HouseholdDetailOut, 403: ErrorOut, 404: ErrorOut},
    summary="农户详情（成员与收支）",
)
@classify(SCOPED)
def get_household(request: HttpRequest, household_id: int) -> dict[str, Any]:
    need(request, "registry.view")
    h = household_get(user=request.user, pk=household_id)
    household_read_logged(actor=api_actor(request), household=h)
    return {
        **household_out(h),
        "members": [person_out(p) for p in h.members.all()],
        "snapshots": [snapshot_out(s) for s in h.snapshots.order_by("-window_end")],
    }


@router.get("/persons", response={200: PersonPage, 400: ErrorOut, 403: ErrorOut}, summary="按姓名前缀或户编号查询人员")
@classify(SCOPED)
def list_persons(
    request: HttpRequest,
    name: str = "",
    household_code: str = "",
    village_code: str = "",
    cursor: str = "",
    size: int = 50,
) -> dict[str, Any]:
    need(request, "registry.view")
    text = household_code or name
    if SearchQuery(text=text).id_number:
        raise InvalidInput("按身份证号查询请使用 POST /persons/lookup（号码不放在网址中）。")
    page = person_search(
        user=request.user,
        query=SearchQuery(text=text, village_code=village_code),
        cursor=parse_cursor(cursor),
        size=page_size(size),
    )
    return {"items": [person_out(p) for p in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/persons/lookup",
    response={200: PersonPage, 403: ErrorOut},
    summary="按身份证号查询（号码放在请求体中，不进日志URL）",
)
@classify(SCOPED)
def lookup_person(request: HttpRequest, body: IdLookupIn) -> dict[str, Any]:
    need(request, "registry.view")
    query = SearchQuery(text=body.id_number)
    if query.id_number is None:
        return {"items": [], "next_cursor": None}
    page = person_search(user=request.user, query=query, cursor=None, size=10)
    registry_search_logged(actor=api_actor(request), id_number=query.id_number, hits=len(page.items))
    return {"items": [person_out(p) for p in page.items], "next_cursor": None}
