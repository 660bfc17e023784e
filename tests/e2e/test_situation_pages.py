"""Situation assessment in headless Chromium, on a demo server of its own (a raised level leads
every page of its scope, so it must not reach the other tests' server): the banks' secretariat
sees the proposal from three open reports, raises 金融 to 警戒 citing them, and a bank member
sees the change on every page and in the inbox; a member cannot change a level. Screenshots go
to test-artifacts/screenshots/."""
import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import DEMO_PASSWORD, run, serve_demo
from test_pages import click_and_wait, sign_in
from test_report_pages import japan_now


@pytest.fixture(scope="module")
def own_server():
    yield from serve_demo()


def token(database, email):
    code, out, err = run("token", "create", "--email", email, "--database", database)
    assert code == 0, err
    return {"Authorization": "Bearer " + out.decode().strip()}


def file_report(server, number):
    """A bank files a first report through the API (severity 3: the proposal counts it)."""
    body = {
        "summary": {"ja": f"インターネットバンキング停止 {number}", "en": f"internet banking down {number}"},
        "affectedService": "インターネットバンキング",
        "detectedAt": japan_now(2).isoformat(timespec="seconds"),
        "eventType": "unavailability",
        "causes": ["intentional.unauthorised_access"],
        "slaBreached": True,
        "impact": {"serviceContinuity": 3, "safety": 0, "lossOfTrust": 1},
        "tlp": "AMBER",
        "attribution": "anonymised",
    }
    response = requests.post(server["base"] + "/api/v1/reports", json=body, headers=token(server["database"], "bank@demo.ceptoar.example"))
    assert response.status_code == 201, response.text
    return response.json()["id"].lower()


def test_the_banks_secretariat_raises_finance_and_members_see_it(own_server, browser, shot):
    base = own_server["base"]
    reports = [file_report(own_server, n) for n in range(3)]

    # A member sees the level but no form: only the coordinator decides.
    sign_in(browser, base, "bank@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(base + "/situation?scope=sector:finance")
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=level]").text == "平常"
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=situation-form]")

    sign_in(browser, base, "banks-secretariat@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(base + "/situation")
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid='scope-sector:finance']")
    browser.get(base + "/situation?scope=sector:finance")
    proposal = browser.find_element(By.CSS_SELECTOR, "[data-testid=proposal]")
    assert "警戒" in proposal.text and "深刻度3" in proposal.text
    form = browser.find_element(By.CSS_SELECTOR, "[data-testid=situation-form]")
    # Refused without a linked item: nothing changes, and the reason is shown.
    form.find_element(By.NAME, "rationale_ja").send_keys("同一手口の停止報告が相次いでいる")
    click_and_wait(browser, form.find_element(By.CSS_SELECTOR, "[data-testid=situation-submit]"))
    assert "1つ以上" in browser.find_element(By.TAG_NAME, "main").text
    browser.get(base + "/situation?scope=sector:finance")
    form = browser.find_element(By.CSS_SELECTOR, "[data-testid=situation-form]")
    choices = form.find_elements(By.CSS_SELECTOR, "[data-testid=report-choice]")
    assert {c.get_attribute("value") for c in choices} >= set(reports)
    for choice in choices:
        if choice.get_attribute("value") in reports:
            choice.click()
    Select(form.find_element(By.NAME, "level")).select_by_value("warning")
    form.find_element(By.NAME, "rationale_ja").send_keys("同一手口の停止報告が3件。金融分野全体で警戒する。")
    form.find_element(By.NAME, "rationale_en").send_keys("Three outage reports of one method: the finance sector is on warning.")
    shot("situation-form-ja")
    click_and_wait(browser, form.find_element(By.CSS_SELECTOR, "[data-testid=situation-submit]"))
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=level]").text == "警戒"
    timeline = browser.find_element(By.CSS_SELECTOR, "[data-testid=timeline]")
    assert "同一手口の停止報告が3件" in timeline.text and "banks-secretariat@demo.ceptoar.example" in timeline.text
    shot("situation-finance-warning-ja")

    # The member: the banner leads every page, the notice is in the inbox; in English too.
    sign_in(browser, base, "bank@demo.ceptoar.example", DEMO_PASSWORD)
    for path in ("/", "/inbox", "/reports"):
        browser.get(base + path)
        banner = browser.find_element(By.CSS_SELECTOR, "[data-testid=situation-banner]")
        assert "金融分野" in banner.text and "警戒" in banner.text, path
    browser.get(base + "/inbox")
    assert "情勢判断: 金融分野を「警戒」としました" in browser.find_element(By.TAG_NAME, "main").text
    shot("situation-member-inbox-ja")
    browser.get(base + "/situation?scope=sector:finance&lang=en")
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=level]").text == "Warning"
    assert "Three outage reports" in browser.find_element(By.CSS_SELECTOR, "[data-testid=timeline]").text
    shot("situation-member-en")

    # Scripts read the same through the plain-text endpoint, with a token; without one, nothing.
    assert requests.get(base + "/api/v1/situation.txt").status_code == 401
    text = requests.get(base + "/api/v1/situation.txt", headers=token(own_server["database"], "bank@demo.ceptoar.example"))
    assert "sector:finance\twarning\t警戒" in text.text


def test_a_water_member_never_sees_finances_situation(own_server, browser):
    base = own_server["base"]
    sign_in(browser, base, "water@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(base + "/situation?scope=sector:finance")
    assert "構成員と調整する組織だけ" in browser.find_element(By.TAG_NAME, "main").text
    browser.get(base + "/")
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=situation-banner]")


def test_the_banks_secretariat_prints_the_emergency_sheet_and_a_member_cannot(own_server, browser, shot):
    base = own_server["base"]
    sign_in(browser, base, "banks-secretariat@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(base + "/ceptoars/banks/emergency-sheet")
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=sheet-title]").text == "銀行等CEPTOAR 緊急連絡先一覧"
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-testid=sheet-escalation] li")) == 3
    assert browser.find_elements(By.CSS_SELECTOR, "[data-testid=sheet-organisation]")
    browser.set_window_size(1000, 1400)
    shot("emergency-sheet-ja")
    browser.set_window_size(1600, 1000)
    sign_in(browser, base, "bank@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(base + "/ceptoars/banks/emergency-sheet")
    assert "事務局・所管省庁・NISC だけ" in browser.find_element(By.TAG_NAME, "main").text
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=sheet-organisation]")


def test_a_cross_sector_exercise_runs_its_injects_on_time_and_reports_after(own_server, browser, shot):
    import datetime
    import time as clock

    base = own_server["base"]
    nisc = token(own_server["database"], "nisc@demo.ceptoar.example")
    at = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(seconds=4)
    later = at + datetime.timedelta(seconds=2)
    plan = {
        "name": {"ja": "分野横断的演習（広域障害）", "en": "Cross-sector exercise (wide outage)"},
        "participants": ["banks", "water", "electricity"],
        "injects": [
            {"at": at.isoformat().replace("+00:00", "Z"), "kind": "advisory", "title": {"ja": "広域DDoS攻撃の発生", "en": "A wide DDoS attack"},
             "body": {"ja": "想定: 複数分野でサービス停止", "en": "Scenario: outages in several sectors"}, "severity": "high"},
            {"at": later.isoformat().replace("+00:00", "Z"), "kind": "drill", "title": {"ja": "緊急連絡網の確認", "en": "Contact check"},
             "body": {"ja": "受信したら応答してください", "en": "Acknowledge on receipt"}},
        ],
    }
    past = dict(plan, injects=[dict(plan["injects"][0], at="2020-01-01T00:00:00Z")])
    refused = requests.post(base + "/api/v1/exercises", json=past, headers=nisc)
    assert refused.status_code == 422 and "過去" in refused.json()["detail"]
    created = requests.post(base + "/api/v1/exercises", json=plan, headers=nisc)
    assert created.status_code == 201, created.text
    exercise = created.json()["id"]
    deadline = clock.time() + 30
    while clock.time() < deadline:
        report = requests.get(base + f"/api/v1/exercises/{exercise}", headers=nisc).json()
        if all(i.get("sentAt") for i in report["injects"]):
            break
        clock.sleep(0.5)
    assert all(i.get("sentAt") for i in report["injects"]), report["injects"]
    # On time: each within two seconds of its planned time (the worker looks twice a second).
    assert all(i["lateSeconds"] <= 2 for i in report["injects"]), report["injects"]
    # A bank acknowledges the advisory (high: forwarded at once) from its inbox.
    bank = token(own_server["database"], "bank@demo.ceptoar.example")
    inbox = requests.get(base + "/api/v1/inbox", headers=bank).json()
    item = next(i for i in inbox["items"] if "【演習】" in i["title"]["ja"])
    assert requests.post(base + f"/api/v1/advisories/{item['advisoryID']}/acknowledge", headers=bank).status_code == 200
    sign_in(browser, base, "nisc@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(base + f"/exercises/{exercise}")
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-testid=inject]")) == 2
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-testid=exercise-row]")) == 3
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-testid=exercise-charts] svg")) == 3
    assert "1/" in browser.find_element(By.CSS_SELECTOR, "[data-testid=exercise-table]").text
    shot("exercise-after-action-ja")
    browser.get(base + f"/exercises/{exercise}?lang=en")
    assert "Exercise after-action report" in browser.find_element(By.TAG_NAME, "h1").text
    shot("exercise-after-action-en")
