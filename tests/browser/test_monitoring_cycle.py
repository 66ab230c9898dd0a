"""A full monitoring cycle in a real browser: a farmer's self-report on a phone
→ verification → identification with a notice and an objection → measures →
elimination refused at the proposal too early, then allowed → follow-up. Time moves with
time-machine, never sleeps."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from playwright.sync_api import Page, expect

from conftest import CANARY_ID, CANARY_PHONE
from fangpin.monitoring.models import EliminationCase, IdentificationCase, MonitoringEpisode, RiskClue
from fangpin.registry.models import IncomeSnapshot
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
TZ = "Asia/Shanghai"


def as_user(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    login(page, base, username)


def act(page: Page, action: str, *, note: str = "", reason: str = "") -> None:
    form = page.get_by_test_id(f"action-{action}")
    if note:
        form.locator("textarea[name=note]").fill(note)
    if reason:
        form.locator("textarea[name=reason]").fill(reason)
    form.locator("button").click()


def test_full_cycle_from_self_report_to_follow_up(bworld, page, phone_page):
    base = bworld.base
    household = bworld.canary.household
    with time_machine.travel(datetime(2026, 3, 2, 9, 0), tick=True):
        # 1. The farmer reports on a phone, without logging in.
        phone_errors: list[str] = []
        phone_page.on("console", lambda msg: msg.type == "error" and phone_errors.append(msg.text))
        phone_page.goto(f"{base}/monitoring/report/")
        phone_page.select_option("#id_village", label="甲县东镇一村")
        phone_page.fill("#id_reporter_name", "金丝雀")
        phone_page.fill("#id_id_number", CANARY_ID)
        phone_page.fill("#id_reporter_phone", CANARY_PHONE)
        phone_page.check("input[name=risk_types][value=illness]")
        phone_page.fill("#id_summary", "户主住院，自付医疗费用高，收入骤减")
        phone_page.check("#id_consent")
        phone_page.get_by_test_id("submit").click()
        code = phone_page.get_by_test_id("tracking-code").inner_text().strip()
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
        clue = RiskClue.objects.get(tracking_code=code)
        assert clue.household_id == household.pk

        # 2. The township accepts, the village verifies and starts identification.
        as_user(page, base, "township_a1")
        page.goto(f"{base}/monitoring/clues/{clue.pk}/")
        act(page, "accept")
        expect(page.get_by_test_id("clue-status")).to_contain_text("已受理")
        as_user(page, base, "village_a1a")
        expect(page.get_by_test_id("work-queue")).to_contain_text(code)
        page.goto(f"{base}/monitoring/clues/{clue.pk}/")
        act(page, "start_verification")
        expect(page.get_by_test_id("recommendation")).to_contain_text("仅供参考")
        start = page.get_by_test_id("start-form")
        start.locator("#id_category").select_option("marginal")
        start.locator("input[name=risk_types][value=illness]").check()
        page.get_by_test_id("start-identification").click()
        expect(page.get_by_test_id("case-status")).to_contain_text("待签署承诺授权")
        case = IdentificationCase.objects.get(household=household)

        # 3. Consent, verification, information check (township), appraisal, notice.
        act(page, "sign_consent")
        act(page, "record_home_verification", note="入户核实：住院属实")
        as_user(page, base, "township_a1")
        page.goto(f"{base}/monitoring/cases/{case.pk}/")
        act(page, "record_info_check", note="比对：无财政供养、无车辆")
        as_user(page, base, "village_a1a")
        page.goto(f"{base}/monitoring/cases/{case.pk}/")
        act(page, "appraise", note="村民代表会议评议通过")
        act(page, "post_notice")
        expect(page.get_by_test_id("case-status")).to_contain_text("村级公示中")

        # 4. An objection during the window, upheld: back to verification.
        form = page.get_by_test_id("objection-form")
        form.locator("textarea[name=content]").fill("反映该户有店铺经营收入")
        page.get_by_test_id("objection-submit").click()
        decide = page.get_by_test_id("objection-decide")
        decide.locator("select[name=upheld]").select_option("1")
        decide.locator("textarea[name=result]").fill("经核实店铺已关闭，重新入户核实")
        page.get_by_test_id("objection-decide-submit").click()
        expect(page.get_by_test_id("case-status")).to_contain_text("入户核实与信息比对中")
        act(page, "record_home_verification", note="重新核实：店铺已关闭")
        act(page, "appraise", note="复议通过")
        act(page, "post_notice")

    with time_machine.travel(datetime(2026, 3, 9, 9, 0), tick=True):
        # 5. After the window: township review, county approval and announcement, entry.
        as_user(page, base, "township_a1")
        page.goto(f"{base}/monitoring/cases/{case.pk}/")
        act(page, "review")
        as_user(page, base, "county_staff_a")
        page.goto(f"{base}/monitoring/cases/{case.pk}/")
        act(page, "approve")
        act(page, "announce")
        as_user(page, base, "township_a1")
        page.goto(f"{base}/monitoring/cases/{case.pk}/")
        act(page, "enter_system")
        expect(page.get_by_test_id("case-status")).to_contain_text("已纳入监测")
        assert CANARY_ID not in page.content()
        episode = MonitoringEpisode.objects.get(household=household)
        assert episode.status == "monitored"

        # 6. Plan and measure through the assistance pages; implementing the measure updates
        #    the episode's covered risk types through monitoring's service contract.
        as_user(page, base, "village_a1a")
        page.goto(f"{base}/monitoring/episodes/{episode.pk}/")
        page.get_by_test_id("assistance-link").click()
        page.get_by_test_id("plan-new").click()
        page.get_by_test_id("measure-new").click()
        page.select_option("#id_measure_code", "HEA-02")
        page.fill("#id_start_date", "2026-03-09")
        page.get_by_test_id("submit").click()
        page.get_by_test_id("action-start").click()
        page.get_by_test_id("action-implement").click()
        expect(page.get_by_test_id("measures")).to_contain_text("已落实")
        # A developmental measure too: assisted elimination needs one (R-EL-2, blocking DQ-04).
        page.get_by_test_id("measure-new").click()
        page.select_option("#id_measure_code", "EMP-01")
        page.fill("#id_start_date", "2026-03-09")
        page.get_by_test_id("submit").click()
        page.get_by_test_id("action-start").click()
        page.get_by_test_id("action-implement").click()
        episode.refresh_from_db()
        assert episode.covered_risk_types == ["illness"] and episode.first_measure_on == date(2026, 3, 9)
        # Basic medical insurance is the members' own (the household page's 已参保).
        household.members.update(in_resident_medical=True)
        # The last record is the 风险消除时 one R-EL-5 / DQ-05 ask for.
        for end, income, kind in ((date(2026, 3, 31), 12000, "ad_hoc"), (date(2026, 9, 30), 13500, "elimination")):
            IncomeSnapshot.objects.create(
                household=household,
                kind=kind,
                year=end.year,
                window_start=date(end.year - 1, end.month, 1),
                window_end=end,
                wage_income=Decimal(income) * 3,
                household_size=3,
                house_unsafe=False,
                water_unsafe=False,
                child_out_of_school=False,
            )

        # 7. Elimination proposed too early: the page lists every reason and the proposal is
        #    refused with them; no case opens, no 30-day clock starts.
        as_user(page, base, "village_a1a")
        page.goto(f"{base}/monitoring/episodes/{episode.pk}/")
        expect(page.get_by_test_id("refusal-reasons")).to_contain_text("不足6个月")
        page.locator("#id_mode").select_option("assisted")
        page.get_by_test_id("propose-elimination").click()
        expect(page.locator("main")).to_contain_text("不能提出风险消除")
        expect(page.locator("main")).to_contain_text("不足6个月")
        assert not EliminationCase.objects.filter(episode=episode).exists()

    with time_machine.travel(datetime(2026, 10, 12, 9, 0), tick=True):
        # 8. Seven months on, the guards pass and the procedure runs to the end.
        as_user(page, base, "village_a1a")
        page.goto(f"{base}/monitoring/episodes/{episode.pk}/")
        expect(page.get_by_test_id("propose-guards-ok")).to_be_visible()
        page.locator("#id_mode").select_option("assisted")
        page.get_by_test_id("propose-elimination").click()
        elimination = EliminationCase.objects.get(episode=episode)
        expect(page.get_by_test_id("guards-ok")).to_be_visible()
        act(page, "verify")
        act(page, "appraise", note="村民代表会议评议：收入稳定，同意消除")
        act(page, "post_notice")
        expect(page.get_by_test_id("elimination-status")).to_contain_text("村级公示中")

    with time_machine.travel(datetime(2026, 10, 19, 9, 0), tick=True):
        as_user(page, base, "township_a1")
        page.goto(f"{base}/monitoring/eliminations/{elimination.pk}/")
        act(page, "review")
        as_user(page, base, "county_staff_a")
        page.goto(f"{base}/monitoring/eliminations/{elimination.pk}/")
        act(page, "approve")
        act(page, "announce")
        as_user(page, base, "township_a1")
        page.goto(f"{base}/monitoring/eliminations/{elimination.pk}/")
        act(page, "flag")
        expect(page.get_by_test_id("elimination-status")).to_contain_text("已标注风险消除")

        # 9. The household is in the 12-month follow-up list; the farmer sees the outcome.
        page.goto(f"{base}/monitoring/episodes/?view=follow_up")
        expect(page.get_by_test_id("episode-table")).to_contain_text(household.national_household_code)
        expect(page.get_by_test_id("episode-table")).to_contain_text("2027-10-19")
        phone_page.goto(f"{base}/monitoring/report/status/?tracking_code={code}&id_last4={CANARY_ID[-4:]}")
        expect(phone_page.get_by_test_id("outcome")).to_contain_text("启动识别程序")
        page.goto(f"{base}/monitoring/notices/")
        page.locator("table a").first.click()
        expect(page.get_by_test_id("notice")).to_contain_text("金*雀")
        # No CSP violation or script error on any page (HTTP refusals such as the 409 above aside).
        errors = [e for e in page.console_errors + phone_errors if not e.startswith("Failed to load resource")]
        assert not errors, errors
