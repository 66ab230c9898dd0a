"""What each role does in a real browser: log in, search, open, edit, import, be refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import CANARY_ID, PERSONAS
from fangpin.registry.models import Person
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
AREA_OF = {name: area for name, _role, area in PERSONAS}


@pytest.mark.parametrize("username", [p[0] for p in PERSONAS if p[0] not in ("orphan", "misfit")])
def test_each_role_logs_in_and_sees_its_own_home(bworld, page, username):
    login(page, bworld.base, username)
    expect(page.get_by_test_id("whoami")).to_contain_text(username)
    if username not in ("liaison_a", "province_admin"):
        count = len(bworld.visible_households(AREA_OF[username]))
        expect(page.get_by_test_id("kpi-households")).to_have_text(str(count))
    else:  # roles that see no household
        expect(page.get_by_test_id("kpi-households")).to_have_count(0)
    if username == "province_admin":
        expect(page.get_by_test_id("province-admin-note")).to_contain_text("节假日安排")
        expect(page.get_by_role("link", name="放假安排").first).to_be_visible()
        expect(page.get_by_test_id("province-rules")).to_be_visible()
    assert not page.console_errors, page.console_errors


def test_a_wrong_password_is_refused_in_chinese(bworld, page):
    page.goto(f"{bworld.base}/login/")
    page.fill("#id_username", "village_a1a")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    expect(page.get_by_test_id("login-error")).to_contain_text("用户名或密码错误")


def test_village_cadre_searches_opens_a_household_and_edits_a_member(bworld, page):
    login(page, bworld.base, "village_a1a")
    page.click("text=农户查询")
    page.fill("#id_q", "金")
    page.click("button:has-text('查询')")
    results = page.get_by_test_id("search-results")
    expect(results).to_contain_text("3401**********159X")
    results.get_by_role("link", name="金丝雀").click()
    expect(page.get_by_test_id("members")).to_contain_text("金丝雀")
    page.get_by_test_id("members").get_by_role("row").filter(has_text="金丝雀").get_by_role("link", name="修改").click()
    page.select_option("#id_labour_capacity", "weak")
    page.check("#id_is_chronic_ill")
    page.click("button:has-text('保存')")
    expect(page.locator("#flash")).to_contain_text("已保存金丝雀的信息")
    expect(page.get_by_test_id("members")).to_contain_text("弱劳动力或半劳动力")
    expect(page.get_by_test_id("audit-trail")).to_contain_text("普通劳动力 → 弱劳动力或半劳动力")
    person = Person.objects.get(id_number=CANARY_ID)
    assert person.labour_capacity == "weak" and person.is_chronic_ill
    assert CANARY_ID not in page.content()


def test_revealing_a_full_id_needs_a_reason(bworld, page):
    login(page, bworld.base, "village_a1a")
    page.goto(f"{bworld.base}/registry/households/{bworld.canary.household_id}/")
    row = page.get_by_test_id("members").get_by_role("row").filter(has_text="金丝雀")
    row.get_by_role("button", name="查看完整").click()
    expect(page.get_by_test_id("error")).to_contain_text("须填写理由")
    row.get_by_placeholder("查看理由").fill("入户核对身份")
    row.get_by_role("button", name="查看完整").click()
    expect(page.get_by_test_id("revealed")).to_have_text(CANARY_ID)


def test_import_of_a_bad_file_shows_every_problem_and_a_report(bworld, page):
    login(page, bworld.base, "county_admin_a")
    page.goto(f"{bworld.base}/registry/imports/")
    page.get_by_test_id("upload-file").set_input_files(str(FIXTURES / "registry_bad.csv"))
    page.get_by_test_id("upload").click()
    expect(page.get_by_test_id("batch-status")).to_have_attribute("data-status", "validated")
    issues = page.get_by_test_id("issues")
    expect(issues).to_contain_text("科学计数法")
    expect(issues).to_contain_text("疑似被Excel截断")
    expect(issues).to_contain_text("该户有多名户主")
    expect(page.get_by_test_id("ok-households")).to_have_text("1")
    with page.expect_download() as download:
        page.get_by_test_id("report").click()
    assert download.value.suggested_filename.endswith("issues.xlsx")
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("applied")).to_contain_text("新增 1 户")


def test_a_village_user_cannot_open_another_villages_household(bworld, page):
    other = bworld.households["A1b"][0]
    login(page, bworld.base, "village_a1a")
    response = page.goto(f"{bworld.base}/registry/households/{other.pk}/")
    assert response.status == 404
    expect(page.get_by_test_id("error")).to_contain_text("找不到")
    assert other.national_household_code not in page.content()


def test_search_works_on_a_phone_sized_screen(bworld, phone_page):
    login(phone_page, bworld.base, "village_a1a")
    phone_page.goto(f"{bworld.base}/registry/")
    phone_page.fill("#id_q", "孩子")
    phone_page.click("button:has-text('查询')")
    expect(phone_page.get_by_test_id("search-results")).to_contain_text("孩子A1a0")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, width
