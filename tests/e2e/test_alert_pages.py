"""Alerts and drills in headless Chromium, in Japanese and English: a secretariat sets its
escalation policy and starts a drill from the pages; a member sees it arrive live and
acknowledges in the portal; a contact acknowledges from the link in the mail; staff work the
call checklist; the report shows the reach rate and the chart. Screenshots are looked at."""
import re
import time

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from alerting import link_in
from conftest import DEMO_PASSWORD, run
from test_pages import click_and_wait, sign_in


def test_a_drill_from_the_pages_to_the_report(server, browser, shot):
    base = server["base"]
    sign_in(browser, base, "secretariat@demo.ceptoar.example", DEMO_PASSWORD)
    # The escalation policy: primary by portal, mail and phone; then the secondary by mail.
    browser.get(base + "/ceptoars/t-ceptoar/escalation")
    form = browser.find_element(By.CSS_SELECTOR, "[data-testid=policy-form]")
    for name in ["s0_rank_primary", "s0_channel_portal", "s0_channel_email", "s0_channel_phone", "s1_rank_secondary", "s1_channel_email"]:
        box = form.find_element(By.NAME, name)
        if not box.is_selected():
            box.click()
    for name in ["s1_channel_mobile", "s2_rank_deputy", "s2_rank_primary", "s2_channel_email", "s2_channel_phone", "s2_channel_mobile",
                 "s2_channel_satellite_phone", "s2_channel_fax"]:
        box = form.find_element(By.NAME, name)
        if box.is_selected():
            box.click()
    for name, value in [("s0_wait", "10"), ("s1_wait", "10"), ("s2_wait", "")]:
        field = form.find_element(By.NAME, name)
        field.clear()
        if value:
            field.send_keys(value)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=save-policy]"))
    assert browser.find_elements(By.CSS_SELECTOR, "[data-testid=policy-saved]")
    assert len([r for r in browser.find_elements(By.CSS_SELECTOR, "[data-testid=policy-step] input[name$=_wait]") if r.get_attribute("value")]) == 2
    shot("alert-policy-ja")

    # A mistake comes back with the reason, nothing saved.
    field = browser.find_element(By.NAME, "s0_wait")
    field.clear()
    field.send_keys("soon")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=save-policy]"))
    assert "待ち時間" in browser.find_element(By.CSS_SELECTOR, "[data-testid=error-message]").text

    browser.get(base + "/alerts")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=new-alert]"))
    scope = browser.find_element(By.CSS_SELECTOR, "[data-testid=scope]")
    assert "CEPTOAR: T-CEPTOAR" in scope.text and "全国" not in scope.text
    shot("alert-new-ja")
    started = time.time()
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=start-alert]"))
    assert "/alerts/" in browser.current_url
    report_url = browser.current_url
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=drill-mark]").text == "訓練"
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=acknowledged-count]").text == "0 / 29"
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=open-calls]").text == "29"
    assert browser.find_elements(By.CSS_SELECTOR, "[data-testid=no-previous]")

    # The mail reached the SMTP server; one contact presses the button behind the link.
    mails = []
    deadline = time.time() + 15
    while time.time() < deadline and len(mails) < 29:
        mails = [m for m in server["smtp"].received() if m["X-Ceptoar-Alert"] and report_url.endswith(m["X-Ceptoar-Alert"])]
        time.sleep(0.2)
    assert len(mails) == 29
    browser.delete_all_cookies()
    browser.get(link_in(mails[0]))
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=link-ack]")
    shot("alert-link-ja")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=link-ack]"))
    assert "受信確認を記録しました" in browser.find_element(By.CSS_SELECTOR, "[data-testid=ack-done]").text

    # The demo member (T-CEPTOAR member 0001) finds it in the portal and acknowledges there.
    sign_in(browser, base, "member@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(base + "/alerts")
    rows = browser.find_elements(By.CSS_SELECTOR, "[data-testid=alert-row]")
    assert rows and "疎通確認訓練" in rows[0].text
    if mails[0]["To"].addresses[0].addr_spec != "primary.demo-t-ceptoar-0001@example.jp":
        assert rows[0].find_elements(By.CSS_SELECTOR, "[data-testid=needs-ack]")
        click_and_wait(browser, rows[0].find_element(By.TAG_NAME, "a"))
        shot("alert-received-ja")
        click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=portal-ack]"))
        assert browser.find_element(By.CSS_SELECTOR, "[data-testid=acknowledged]")
        expected_acks = 2
    else:
        expected_acks = 1

    # The secretariat works the call checklist: one reached, one wrong number.
    sign_in(browser, base, "secretariat@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(report_url + "/calls")
    open_tasks = [t for t in browser.find_elements(By.CSS_SELECTOR, "[data-testid=call-task]") if t.get_attribute("data-state") == "queued"]
    assert len(open_tasks) == 29 - expected_acks
    shot("alert-calls-ja")
    click_and_wait(browser, open_tasks[0].find_element(By.CSS_SELECTOR, "[data-testid=call-reached]"))
    assert "連絡がついた" in browser.find_element(By.CSS_SELECTOR, "[data-testid=notice]").text
    task = [t for t in browser.find_elements(By.CSS_SELECTOR, "[data-testid=call-task]") if t.get_attribute("data-state") == "queued"][0]
    task.find_element(By.NAME, "note").send_keys("この番号は使われていません")
    click_and_wait(browser, task.find_element(By.CSS_SELECTOR, "[data-testid=call-wrong_number]"))

    browser.get(report_url)
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=acknowledged-count]").text == f"{expected_acks + 1} / 29"
    bars = browser.find_elements(By.CSS_SELECTOR, "[data-testid=response-chart] [data-testid=chart-bar]")
    assert sum(int(b.get_attribute("data-count")) for b in bars) == 29
    assert any("wrong or dead number" in r.text for r in browser.find_elements(By.CSS_SELECTOR, "[data-testid=unreached]"))
    assert time.time() - started < 600  # all of this well inside step 1's ten minutes
    shot("alert-report-ja")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=lang-switch]"))
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=drill-mark]").text == "drill"
    assert "Reach rate" in browser.find_element(By.TAG_NAME, "main").text
    shot("alert-report-en")
    browser.get(report_url + "/calls")
    assert "Call tasks" in browser.find_element(By.TAG_NAME, "h1").text
    shot("alert-calls-en")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=lang-switch]"))


def test_a_new_drill_appears_live_on_a_members_open_page(server, browser):
    base = server["base"]
    sign_in(browser, base, "member@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(base + "/inbox")
    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return document.body.dataset.live === 'connected'"))
    code, out, _ = run("token", "create", "--email", "secretariat@demo.ceptoar.example", "--database", server["database"])
    assert code == 0
    started = requests.post(base + "/api/v1/alerts", json={"kind": "test", "scope": "ceptoar", "key": "t-ceptoar"},
                            headers={"Authorization": "Bearer " + out.decode().strip()})
    assert started.status_code == 201
    banner = WebDriverWait(browser, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-testid=live-alert]") if d.find_element(By.CSS_SELECTOR, "[data-testid=live-alert]").is_displayed() else None)
    assert "緊急連絡・訓練が届きました" in banner.text
    assert banner.find_element(By.TAG_NAME, "a").get_attribute("href").endswith(started.json()["alert"]["id"].lower())


def test_a_member_verifies_its_mail_address_with_the_code_it_receives(server, browser, shot):
    base = server["base"]
    sign_in(browser, base, "member@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(base + "/poc")
    address = "primary.demo-t-ceptoar-0001@example.jp"
    item = [m for m in browser.find_elements(By.CSS_SELECTOR, "[data-testid=saved-method]") if address in m.text][0]
    assert "未確認" in item.text
    before = len(server["smtp"].received())
    click_and_wait(browser, item.find_element(By.CSS_SELECTOR, "[data-testid=send-code]"))
    assert "確認コードを送りました" in browser.find_element(By.CSS_SELECTOR, "[data-testid=poc-notice]").text
    mail = server["smtp"].wait_for(before + 1)[-1]
    assert mail["To"].addresses[0].addr_spec == address
    code = re.search(r"確認コード: (\d{6})", mail.get_content()).group(1)

    item = [m for m in browser.find_elements(By.CSS_SELECTOR, "[data-testid=saved-method]") if address in m.text][0]
    item.find_element(By.CSS_SELECTOR, "[data-testid=code]").send_keys("000000" if code != "000000" else "111111")
    click_and_wait(browser, item.find_element(By.CSS_SELECTOR, "[data-testid=confirm-code]"))
    assert "確認コードが違います" in browser.find_element(By.CSS_SELECTOR, "[data-testid=error-message]").text
    item = [m for m in browser.find_elements(By.CSS_SELECTOR, "[data-testid=saved-method]") if address in m.text][0]
    item.find_element(By.CSS_SELECTOR, "[data-testid=code]").send_keys(code)
    click_and_wait(browser, item.find_element(By.CSS_SELECTOR, "[data-testid=confirm-code]"))
    assert "確認済みにしました" in browser.find_element(By.CSS_SELECTOR, "[data-testid=poc-notice]").text
    item = [m for m in browser.find_elements(By.CSS_SELECTOR, "[data-testid=saved-method]") if address in m.text][0]
    assert "確認済み" in item.text and not item.find_elements(By.CSS_SELECTOR, "[data-testid=send-code]")
    shot("poc-verified-ja")
