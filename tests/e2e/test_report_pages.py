"""Incident reports in headless Chromium against `ceptoar serve --demo`, as the people who use
them would: a bank fills in and submits the first-report form, uploads a CSV exported from its
spreadsheet (Shift_JIS, Japanese headings), FISC writes a failure case from the reports and is
refused while the text names a bank, NISC reads the statistics. Screenshots go to
test-artifacts/screenshots/ to be looked at."""
import datetime
import re

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import DEMO_PASSWORD, run
from test_pages import click_and_wait, sign_in


def japan_now(hours_ago=0):
    return datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=9))) - datetime.timedelta(hours=hours_ago)


def set_value(browser, element, value):
    """A datetime-local input takes its value as the page's own script would set it: typing
    into it depends on the browser's locale."""
    browser.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", element, value)


def error_text(browser):
    found = browser.find_elements(By.CSS_SELECTOR, "[data-testid=error]")
    return found[0].text if found else ""


def test_a_bank_files_a_first_report_through_the_form(server, browser, shot):
    sign_in(browser, server["base"], "bank@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(server["base"] + "/reports")
    form = browser.find_element(By.CSS_SELECTOR, "[data-testid=report-form]")
    form.find_element(By.NAME, "summary_ja").send_keys("インターネットバンキングのログイン画面が表示されない")
    form.find_element(By.NAME, "summary_en").send_keys("The internet banking sign-in page does not load")
    form.find_element(By.NAME, "affected_service").send_keys("インターネットバンキング")
    set_value(browser, form.find_element(By.NAME, "detected_at"), japan_now(2).strftime("%Y-%m-%dT%H:%M"))
    Select(form.find_element(By.NAME, "event_type")).select_by_value("unavailability")
    form.find_element(By.NAME, "cause_intentional.unauthorised_access").click()
    form.find_element(By.CSS_SELECTOR, "input[name=sla_breached][value=yes]").click()
    Select(form.find_element(By.NAME, "impact_service")).select_by_visible_text("3")
    Select(form.find_element(By.NAME, "impact_trust")).select_by_visible_text("2")
    form.find_element(By.NAME, "observables").send_keys("cve CVE-2024-3400\nip 203.0.113.50")
    Select(form.find_element(By.NAME, "tlp")).select_by_visible_text("AMBER")
    Select(form.find_element(By.NAME, "attribution")).select_by_value("anonymised")
    shot("report-form-filled-ja")
    click_and_wait(browser, form.find_element(By.CSS_SELECTOR, "[data-testid=file-report]"))
    assert not error_text(browser), error_text(browser)
    summary = browser.find_element(By.CSS_SELECTOR, "[data-testid=report-summary]")
    assert summary.text == "インターネットバンキングのログイン画面が表示されない"
    assert re.search(r"/reports/[0-9a-f-]{36}$", browser.current_url)
    shot("report-filed-ja")
    browser.get(browser.current_url + "?lang=en")
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=report-summary]").text == "The internet banking sign-in page does not load"
    shot("report-filed-en")


def test_a_bank_refused_for_a_missing_field_keeps_what_it_typed(server, browser):
    sign_in(browser, server["base"], "bank@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(server["base"] + "/reports")
    form = browser.find_element(By.CSS_SELECTOR, "[data-testid=report-form]")
    form.find_element(By.NAME, "summary_ja").send_keys("要因の選び忘れ")
    form.find_element(By.NAME, "affected_service").send_keys("ATM")
    set_value(browser, form.find_element(By.NAME, "detected_at"), japan_now(1).strftime("%Y-%m-%dT%H:%M"))
    form.find_element(By.CSS_SELECTOR, "input[name=sla_breached][value=no]").click()
    click_and_wait(browser, form.find_element(By.CSS_SELECTOR, "[data-testid=file-report]"))
    assert "要因を" in error_text(browser) and "事象の種類" not in error_text(browser)
    assert browser.find_element(By.NAME, "summary_ja").get_attribute("value") == "要因の選び忘れ"


def test_a_bank_uploads_its_spreadsheet_as_csv(server, browser, shot, tmp_path):
    headings = "概要,影響を受けたサービス,検知日時,事象の種類,要因,サービスレベル未達,サービスの継続性,安全性,信頼の失墜,観測情報,TLP,報告者名の扱い"
    when = japan_now(3).strftime("%Y/%m/%d %H:%M")
    good = tmp_path / "reports.csv"
    good.write_bytes((headings + "\r\n"
                      + f"勘定系の遅延,勘定系,{when},システム等の利用困難,unintentional.software,いいえ,2,0,1,cve:CVE-2024-3400,AMBER,anonymised\r\n"
                      + f"ATM 停止,ATM,{when},システム等の利用困難,unintentional.hardware,はい,3,0,2,,GREEN,named\r\n").encode("shift_jis"))
    sign_in(browser, server["base"], "bank@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(server["base"] + "/reports")
    before = int(re.search(r"\d+", browser.find_element(By.XPATH, "//p[starts-with(., '全')]").text).group())
    upload = browser.find_element(By.CSS_SELECTOR, "[data-testid=import-form]")
    upload.find_element(By.NAME, "file").send_keys(str(good))
    click_and_wait(browser, upload.find_element(By.CSS_SELECTOR, "[data-testid=import-reports]"))
    assert "2件" in browser.find_element(By.CSS_SELECTOR, "[data-testid=notice]").text, error_text(browser)
    after = int(re.search(r"\d+", browser.find_element(By.XPATH, "//p[starts-with(., '全')]").text).group())
    assert after == before + 2
    shot("reports-imported-ja")

    bad = tmp_path / "bad.csv"
    bad.write_bytes((headings + "\n" + f"勘定系の遅延,勘定系,あした,outage,unintentional.software,いいえ,9,0,1,,AMBER,anonymised\n").encode("utf-8"))
    upload = browser.find_element(By.CSS_SELECTOR, "[data-testid=import-form]")
    upload.find_element(By.NAME, "file").send_keys(str(bad))
    click_and_wait(browser, upload.find_element(By.CSS_SELECTOR, "[data-testid=import-reports]"))
    message = error_text(browser)
    assert "2行目" in message and "検知日時" in message
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=notice]")
    shot("reports-import-refused-ja")


def token(server, email):
    code, out, err = run("token", "create", "--database", server["database"], "--email", email)
    assert code == 0, err
    return out.decode().strip()


def test_fisc_writes_a_failure_case_and_publishes_it_once_clean(server, browser, shot):
    bank = token(server, "bank@demo.ceptoar.example")
    detected = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for n in range(2):
        report = {"summary": {"ja": f"オンラインバンキング障害 {n}"}, "affectedService": "IB", "detectedAt": detected, "eventType": "unavailability",
                  "causes": ["unintentional.software"], "slaBreached": True, "impact": {"serviceContinuity": 2, "safety": 0, "lossOfTrust": 1},
                  "tlp": "AMBER", "attribution": "anonymised"}
        filed = requests.post(server["base"] + "/api/v1/reports", json=report, headers={"Authorization": "Bearer " + bank})
        assert filed.status_code == 201, filed.text
    sign_in(browser, server["base"], "fisc@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(server["base"] + "/failure-cases")
    form = browser.find_element(By.CSS_SELECTOR, "[data-testid=case-form]")
    boxes = [b for b in form.find_elements(By.CSS_SELECTOR, "[data-testid=case-report]") if "オンラインバンキング障害" in b.find_element(By.XPATH, "..").text]
    assert len(boxes) >= 2
    for box in boxes[:2]:
        box.click()
    form.find_element(By.NAME, "title_ja").send_keys("オンラインバンキングの更新作業に伴う停止")
    form.find_element(By.NAME, "business_type").send_keys("銀行")
    form.find_element(By.NAME, "event").send_keys("夜間の更新作業後、ログインできない状態が2時間続いた。")
    form.find_element(By.NAME, "cause").send_keys("更新手順に切り戻しの確認がなかった。")
    form.find_element(By.NAME, "countermeasure").send_keys("切り戻し手順の事前確認を必須にした。")
    # The lessons name the banks' own mail domain: publishing must be refused.
    form.find_element(By.NAME, "lessons").send_keys("詳細は csirt@demo.ceptoar.example に問い合わせ。")
    click_and_wait(browser, form.find_element(By.CSS_SELECTOR, "[data-testid=write-case]"))
    assert not error_text(browser), error_text(browser)
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=case-status]").text in ("下書き", "draft")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=publish-case]"))
    assert "lessons" in error_text(browser) or "教訓" in error_text(browser), error_text(browser)
    shot("failure-case-refused-ja")

    lessons = browser.find_element(By.NAME, "lessons")
    lessons.clear()
    lessons.send_keys("更新作業には切り戻しの確認を含めること。")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=revise-case]"))
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=publish-case]"))
    assert not error_text(browser), error_text(browser)
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=case-status]").text in ("公開済み", "published")
    shot("failure-case-published-ja")


def test_nisc_reads_the_statistics_for_a_chosen_scope_and_period(server, browser, shot):
    sign_in(browser, server["base"], "nisc@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(server["base"] + "/report-statistics")
    form = browser.find_element(By.CSS_SELECTOR, "[data-testid=statistics-form]")
    Select(form.find_element(By.NAME, "scope")).select_by_value("finance")
    today = japan_now()
    fiscal_year = today.year if today.month >= 4 else today.year - 1
    period = form.find_element(By.NAME, "period")
    period.clear()
    period.send_keys(str(fiscal_year))
    click_and_wait(browser, form.find_element(By.CSS_SELECTOR, "button"))
    assert "scope=finance" in browser.current_url and f"period={fiscal_year}" in browser.current_url
    table = browser.find_element(By.CSS_SELECTOR, "[data-testid=statistics-table]")
    assert table.is_displayed() and "年度" in browser.find_element(By.CSS_SELECTOR, "[data-testid=statistics-title]").text
    assert browser.find_elements(By.CSS_SELECTOR, "[data-testid=chart] svg, svg[data-testid=chart]")
    shot("statistics-finance-ja")
    browser.get(browser.current_url + "&lang=en")
    assert "FY" in browser.find_element(By.CSS_SELECTOR, "[data-testid=statistics-title]").text
    shot("statistics-finance-en")


def test_the_reporter_hears_at_once_and_by_mail_that_a_stage_came_back(server, browser, shot):
    from selenium.webdriver.support.ui import WebDriverWait

    bank = token(server, "bank@demo.ceptoar.example")
    detected = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    report = {"summary": {"ja": "差戻しの確認用の報告"}, "affectedService": "IB", "detectedAt": detected, "eventType": "other",
              "causes": ["other"], "slaBreached": False, "impact": {"serviceContinuity": 1, "safety": 0, "lossOfTrust": 0},
              "tlp": "GREEN", "attribution": "named"}
    filed = requests.post(server["base"] + "/api/v1/reports", json=report, headers={"Authorization": "Bearer " + bank})
    assert filed.status_code == 201, filed.text
    report_id = filed.json()["id"].lower()
    sign_in(browser, server["base"], "bank@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(server["base"] + f"/reports/{report_id}")
    WebDriverWait(browser, 30).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-live") == "connected")
    assert not browser.find_element(By.CSS_SELECTOR, "[data-testid=live-report]").is_displayed()
    mails_before = len(server["smtp"].received())

    secretariat = token(server, "banks-secretariat@demo.ceptoar.example")
    returned = requests.post(server["base"] + f"/api/v1/reports/{report_id}/stages/first/return", json={"comment": "影響範囲（店舗数）を追記してください"},
                             headers={"Authorization": "Bearer " + secretariat})
    assert returned.status_code == 200, returned.text
    WebDriverWait(browser, 30).until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-testid=live-report]").is_displayed())
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=live-report] a").get_attribute("href").endswith(f"/reports/{report_id}")
    shot("report-returned-live-ja")

    mails = server["smtp"].wait_for(mails_before + 1)
    mail = [m for m in mails[mails_before:] if m["To"] == "bank@demo.ceptoar.example" and "差戻し" in str(m["Subject"])]
    assert mail, [str(m["Subject"]) for m in mails[mails_before:]]
    text = mail[0].get_content()
    assert "影響範囲（店舗数）を追記してください" in text and f"/reports/{report_id}" in text
