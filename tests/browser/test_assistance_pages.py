"""The assistance pages on their own, in a real browser: a village cadre opens a
monitored household's plan, adds measures for members from the catalogue,
attaches evidence and completes a measure; a township officer records a visit
against the plan; an officer of another township is refused every page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from fangpin.assistance.models import AssistanceMeasure, AssistancePlan, MeasureEvidence, Visit
from fangpin.assistance.tests.factories import episode_for
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# The smallest valid PNG (1×1 pixel): the service decides the type by its magic bytes.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def as_user(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    login(page, base, username)


def add_measure(page: Page, code: str, person_label: str) -> None:
    page.get_by_test_id("measure-new").click()
    page.select_option("#id_measure_code", code)
    page.select_option("#id_person_id", label=person_label)
    page.get_by_test_id("submit").click()


def test_village_plans_measures_with_evidence_township_visits_other_township_refused(bworld, page):
    base = bworld.base
    household = bworld.households["A1a"][1]
    spouse = household.members.get(relationship="spouse")
    head = household.members.get(relationship="head")
    episode = episode_for(
        household,
        identified_on=timezone.localdate() - timedelta(days=10),
        risk_types=["illness", "unstable_employment"],
    )

    # 1. The village cadre reaches the plan page from the household and opens a plan.
    as_user(page, base, "village_a1a")
    page.goto(f"{base}/registry/households/{household.pk}/")
    page.get_by_test_id("assistance-link").click()
    expect(page.get_by_test_id("episode")).to_contain_text("因病")
    expect(page.get_by_test_id("uncovered")).to_contain_text("因病")
    page.get_by_test_id("plan-new").click()
    plan = AssistancePlan.objects.get(episode=episode)

    # 2. Two measures from the catalogue, each for a named member.
    add_measure(page, "EMP-01", f"{spouse.name}（配偶）")
    add_measure(page, "HEA-02", f"{head.name}（户主）")
    rows = page.get_by_test_id("measure-row")
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("measures")).to_contain_text("劳务输出")
    expect(page.get_by_test_id("measures")).to_contain_text(spouse.name)
    export = AssistanceMeasure.objects.get(plan=plan, measure_code="EMP-01")
    assert export.person_id == spouse.pk and export.status == "planned"
    assert AssistanceMeasure.objects.get(plan=plan, measure_code="HEA-02").person_id == head.pk

    # 3. Evidence on the labour-export measure: a PNG, decided by its bytes.
    row = rows.filter(has_text="劳务输出")
    row.locator("input[type=file]").set_input_files({"name": "务工合同.png", "mimeType": "image/png", "buffer": PNG})
    row.get_by_role("button", name="上传").click()
    row = page.get_by_test_id("measure-row").filter(has_text="劳务输出")
    expect(row.get_by_role("link", name="务工合同.png")).to_be_visible()
    evidence = MeasureEvidence.objects.get(measure=export)
    assert evidence.content_type == "image/png" and evidence.size == len(PNG)
    # A file that only claims to be an image is refused in Chinese; nothing is stored.
    row.locator("input[type=file]").set_input_files(
        {"name": "假图片.png", "mimeType": "image/png", "buffer": b"MZ not an image"}
    )
    row.get_by_role("button", name="上传").click()
    expect(page.locator("main")).to_contain_text("只接受PDF、JPG或PNG文件")
    assert MeasureEvidence.objects.filter(measure=export).count() == 1

    # 4. Start, then implement the measure (落实 today): the risk it covers is no longer listed.
    page.goto(f"{base}/assistance/households/{household.pk}/")
    row = page.get_by_test_id("measure-row").filter(has_text="劳务输出")
    row.get_by_test_id("action-start").click()
    row = page.get_by_test_id("measure-row").filter(has_text="劳务输出")
    row.get_by_test_id("action-implement").click()
    row = page.get_by_test_id("measure-row").filter(has_text="劳务输出")
    expect(row).to_contain_text("已落实")
    export.refresh_from_db()
    assert export.status == "implemented" and export.implemented_on == timezone.localdate()
    expect(page.get_by_test_id("uncovered")).not_to_contain_text("因务工就业不稳")
    expect(page.get_by_test_id("uncovered")).to_contain_text("因病")

    # 5. The township officer records a visit; it is filed against the open plan.
    as_user(page, base, "township_a1")
    page.goto(f"{base}/assistance/households/{household.pk}/")
    page.get_by_test_id("visit-new").click()
    page.fill("#id_findings", "入户走访：配偶已赴浙江务工，收入稳定；户主按时服药")
    page.check("#id_household_signed")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("visits")).to_contain_text("配偶已赴浙江务工")
    visit = Visit.objects.get(household=household)
    assert visit.plan_id == plan.pk and visit.clue_id is None

    # 6. An officer of another township is refused the plan, its forms and the evidence.
    as_user(page, base, "township_a2")
    for url in (
        f"/assistance/households/{household.pk}/",
        f"/assistance/plans/{plan.pk}/measures/new/",
        f"/assistance/households/{household.pk}/visits/new/",
        f"/assistance/evidence/{evidence.pk}/",
    ):
        response = page.goto(f"{base}{url}")
        assert response is not None and response.status == 404, url
        assert spouse.name not in page.content()
    assert AssistanceMeasure.objects.filter(plan=plan).count() == 2
    assert Visit.objects.filter(household=household).count() == 1
    errors = [e for e in page.console_errors if not e.startswith("Failed to load resource")]
    assert not errors, errors
