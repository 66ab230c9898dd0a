"""Registry pages: what a cadre sees and does, checked in the response and the database."""

from pathlib import Path

from conftest import CANARY_ID
from fangpin.core.models import AuditEvent
from fangpin.registry.models import ImportBatch, Person

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures"


def test_search_by_name_prefix_shows_masked_ids(client_as, world):
    page = client_as("village_a1a").get("/registry/", {"q": "金"})
    body = page.content.decode()
    assert "金丝雀" in body and "3401**********159X" in body
    assert CANARY_ID not in body


def test_search_by_full_id_is_logged_without_the_number(client_as, world):
    page = client_as("village_a1a").post("/registry/", {"q": CANARY_ID.lower()})
    body = page.content.decode()
    assert "金丝雀" in body and CANARY_ID not in body
    event = AuditEvent.objects.get(action="search")
    assert event.object_label == "3401**********159X" and event.changes["hits"] == [None, 1]


def test_search_in_another_village_finds_nothing(client_as, world):
    page = client_as("village_a1b").post("/registry/", {"q": CANARY_ID})
    assert "没有找到" in page.content.decode()


def test_an_id_number_in_the_url_is_refused(client_as, world):
    page = client_as("village_a1a").get("/registry/", {"q": CANARY_ID})
    assert page.status_code == 400
    assert not AuditEvent.objects.filter(action="search").exists()


def test_a_name_search_posted_is_redirected_to_a_bookmarkable_url(client_as, world):
    response = client_as("village_a1a").post("/registry/", {"q": "金"})
    assert response.status_code == 302 and "q=%E9%87%91" in response["Location"]


def test_keyset_pages_do_not_repeat_rows(client_as, world):
    client = client_as("county_admin_a")
    seen, cursor = [], ""
    for _ in range(10):
        page = client.get("/registry/", {"q": "", "village": "", **({"cursor": cursor} if cursor else {})})
        # The page size is 50; the world has 27 people in county A: one page.
        ids = [p.pk for p in page.context["page"].items]
        seen += ids
        cursor = page.context["page"].next_cursor
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == Person.objects.filter(household__village_code__startswith="340102").count()


def test_household_page_shows_members_income_history_and_audit(client_as, world):
    household = world.households["A1a"][0]
    page = client_as("village_a1a").get(f"/registry/households/{household.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    for text in ("家庭成员", "金丝雀", "收支信息", "8000.00", "户变更记录", "操作记录"):
        assert text in body
    assert AuditEvent.objects.filter(action="read", household_id=household.pk).count() == 1


def test_member_edit_through_the_page(client_as, world):
    person = world.canary
    client = client_as("village_a1a")
    form = client.get(f"/registry/persons/{person.pk}/edit/")
    assert CANARY_ID not in form.content.decode()
    data = {k: v for k, v in form.context["form"].initial.items() if v not in (None, False)}
    data.update({"labour_capacity": "weak", "is_seriously_ill": "on", "version": person.version, "id_number": ""})
    data.pop("relationship", None)
    response = client.post(f"/registry/persons/{person.pk}/edit/", data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.labour_capacity == "weak" and person.is_seriously_ill
    assert person.id_number == CANARY_ID


def test_member_edit_with_a_bad_id_shows_the_reason_on_the_field(client_as, world):
    person = world.canary
    client = client_as("village_a1a")
    response = client.post(
        f"/registry/persons/{person.pk}/edit/",
        {"name": person.name, "labour_capacity": "ordinary", "id_number": "3.40102E+17", "version": person.version},
    )
    assert response.status_code == 200
    assert "科学计数法" in response.content.decode()


def test_reveal_shows_the_full_number_once_with_a_reason(client_as, world):
    client = client_as("village_a1a", HTTP_HX_REQUEST="true")
    refused = client.post(f"/registry/persons/{world.canary.pk}/reveal/", {"field": "id_number", "reason": ""})
    assert CANARY_ID not in refused.content.decode()
    shown = client.post(f"/registry/persons/{world.canary.pk}/reveal/", {"field": "id_number", "reason": "入户核对"})
    assert CANARY_ID in shown.content.decode()


def test_grid_worker_cannot_reveal(client_as, world):
    response = client_as("grid_a1a").post(
        f"/registry/persons/{world.canary.pk}/reveal/", {"field": "id_number", "reason": "看看"}
    )
    assert response.status_code == 403
    assert CANARY_ID not in response.content.decode()


def test_upload_validate_report_and_accept_through_the_pages(client_as, world):
    client = client_as("county_admin_a")
    with open(FIXTURES / "registry_bad.csv", "rb") as fh:
        response = client.post("/registry/imports/", {"file": fh})
    batch = ImportBatch.objects.get()
    assert response["Location"] == f"/registry/imports/{batch.pk}/"
    detail = client.get(f"/registry/imports/{batch.pk}/").content.decode()
    assert "科学计数法" in detail and "确认导入无误的 1 户" in detail
    report = client.get(f"/registry/imports/{batch.pk}/report.xlsx")
    assert report["Content-Type"].startswith("application/vnd.openxmlformats")
    client.post(f"/registry/imports/{batch.pk}/accept/")
    batch.refresh_from_db()
    assert batch.status == "applied"
    assert Person.objects.filter(name="好户主").exists()


def test_export_job_writes_masked_xlsx_for_the_requester_only(client_as, world):
    import io

    from python_calamine import CalamineWorkbook

    client = client_as("county_admin_a")
    response = client.post("/registry/export/", {"q": "", "village": "340102001001"})
    job_url = response["Location"]
    download = client.get(job_url + "download/")
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(b"".join(download.streaming_content)))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert rows[0][0] == "户编号" and len(rows) == 10
    flat = repr(rows)
    assert CANARY_ID not in flat and "3401**********159X" in flat
    assert client_as("county_staff_a").get(job_url + "download/").status_code == 404
    assert AuditEvent.objects.filter(action="export").exists()


def test_exports_expire_after_their_time_to_live(client_as, world, settings):
    import os
    import time as _time
    from datetime import timedelta

    from django.utils import timezone

    from fangpin.core.models import Job
    from fangpin.registry.exporting import export_path, exports_expire

    client = client_as("county_admin_a")
    job_url = client.post("/registry/export/", {"q": "", "village": ""})["Location"]
    job = Job.objects.get(kind="registry.export")
    path = export_path(job.pk)
    assert path.exists()
    assert client.get(job_url + "download/").status_code == 200
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(hours=25))
    assert client.get(job_url + "download/").status_code == 404
    old = _time.time() - 25 * 3600
    os.utime(path, (old, old))
    assert exports_expire() >= 1
    assert not path.exists()
