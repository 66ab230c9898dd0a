"""Uploads that would exhaust the machine and input that used to end in a 500 get a clear
Chinese refusal, and nothing is left on disk (issue 12 §2)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from fangpin.core.errors import DomainError, InvalidInput
from fangpin.core.spreadsheet import read_table
from fangpin.datafeeds.models import FeedRun, RunStatus
from fangpin.registry.importing.services import import_create
from fangpin.registry.models import ImportBatch

MB = 1024 * 1024


def _zip_bomb(path: Path, *, sheet_mb: int = 40) -> Path:
    """A small XLSX-shaped archive whose sheet expands to `sheet_mb` MB (about 1000x)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        zf.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook><sheets/></workbook>')
        with zf.open("xl/worksheets/sheet1.xml", "w") as sheet:
            block = b"<row/>" * (MB // 6)
            for _ in range(sheet_mb):
                sheet.write(block)
    return path


def test_a_zip_bomb_xlsx_is_refused_by_its_expansion_ratio_before_the_import_reads_it(tmp_path):
    bomb = _zip_bomb(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < MB // 4
    with pytest.raises(InvalidInput) as info:
        read_table(bomb)
    assert "解压后过大" in info.value.message and "压缩比" in info.value.message


def test_a_zip_bomb_feed_file_fails_its_run_with_the_reason(tmp_path, client_as, world):
    bomb = _zip_bomb(tmp_path / "bomb.xlsx")
    with open(bomb, "rb") as fh:
        client_as("county_admin_a").post("/feeds/", {"source": "medical_security", "period": "2026-10", "file": fh})
    run = FeedRun.objects.get()
    assert run.status == RunStatus.FAILED and "压缩比" in run.message


def test_an_xlsx_with_too_many_entries_is_refused(tmp_path):
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(1001):
            zf.writestr(f"xl/media/{i}.txt", "x")
    with pytest.raises(InvalidInput) as info:
        read_table(path)
    assert "1001个部件" in info.value.message


def _files_under(path: Path) -> set[Path]:
    return {p for p in path.rglob("*") if p.is_file()} if path.exists() else set()


@pytest.mark.parametrize("size", [300 * 1024, 2 * MB], ids=["refused-while-streaming", "refused-by-length"])
@pytest.mark.parametrize(
    ("url", "fields"),
    [("/registry/imports/", {}), ("/feeds/", {"source": "medical_security", "period": "2026-10"})],
    ids=["registry-import", "feed"],
)
def test_an_oversize_upload_is_refused_and_leaves_no_file(client_as, world, url, fields, size):
    uploads = Path(settings.FANGPIN["IMPORT_DIR"]).parent
    before = _files_under(uploads)
    body = io.BytesIO(b"a,b\n" + b"1,2\n" * (size // 4))
    body.name = "big.csv"
    with override_settings(FANGPIN={**settings.FANGPIN, "UPLOAD_MAX_BYTES": 64 * 1024}):
        response = client_as("county_admin_a").post(url, {**fields, "file": body})
    assert response.status_code == 413 and "上传的文件超过65536字节上限" in response.content.decode()
    assert _files_under(uploads) - before == set()
    assert not ImportBatch.objects.exists() and not FeedRun.objects.exists()


def test_the_import_service_deletes_a_partial_file_past_the_limit(world, actor_for):
    imports = Path(settings.FANGPIN["IMPORT_DIR"])
    before = _files_under(imports)
    with override_settings(FANGPIN={**settings.FANGPIN, "UPLOAD_MAX_BYTES": 1000}), pytest.raises(DomainError) as info:
        import_create(actor=actor_for("county_admin_a"), stream=io.BytesIO(b"x" * 5000), file_name="a.csv")
    assert info.value.status == 413 and "上限" in info.value.message
    assert _files_under(imports) - before == set() and not ImportBatch.objects.exists()


def _routes(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


# Every page and API route without a path parameter (pages and API lists alike), as the
# scope-completeness test walks them.
LIST_ROUTES = sorted(
    "/" + r for r in set(_routes(get_resolver().url_patterns)) if "<" not in r and not r.startswith("admin/")
)


def test_a_nul_byte_in_any_filter_parameter_is_a_chinese_400_on_every_page_and_api_list(world, client_as):
    client = client_as("county_admin_a")
    client.raise_request_exception = False
    params = "q=%00&status=a%00&source=%00&cursor=%00&village=%00&type=%00&period=%00&size=1"
    bad = {}
    for route in LIST_ROUTES:
        response = client.get(f"{route}?{params}")
        is_json = response.get("Content-Type", "").startswith("application/json")
        data = response.json() if is_json else None
        text = str(data.get("detail", "")) if isinstance(data, dict) else response.content.decode(errors="replace")
        if response.status_code != 400 or "空字符" not in text:
            bad[route] = response.status_code
    assert len(LIST_ROUTES) > 30 and bad == {}


def test_a_nul_byte_in_a_form_or_a_json_body_is_a_chinese_400(world, client_as):
    client = Client(raise_request_exception=False)
    form = client.post("/monitoring/report/", {"reporter_name": "甲\x00", "summary": "x"})
    assert form.status_code == 400 and "空字符" in form.content.decode()
    api = client_as("village_a1a").post(
        "/api/v1/monitoring/clues",
        '{"source": "visit", "village_code": "1\\u0000", "summary": "x"}',
        content_type="application/json",
    )
    assert api.status_code == 400 and "空字符" in api.json()["detail"]


def test_an_out_of_range_household_id_is_a_chinese_400_or_404(world, client_as):
    client = client_as("county_admin_a")
    client.raise_request_exception = False
    api = client.get("/api/v1/assistance/visits", {"household_id": "99999999999999999999"})
    assert api.status_code == 400 and "超出" in api.json()["detail"]
    page = client.get("/registry/households/99999999999999999999/")
    assert page.status_code == 404
