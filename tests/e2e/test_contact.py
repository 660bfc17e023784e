"""A CEPTOAR's public emergency contact in headless Chromium: an outsider finds it from the
CEPTOAR's page, writes without signing in (Japanese and English), and the secretariat sees the
message in its queue and marks it handled."""
from selenium.webdriver.common.by import By

from conftest import DEMO_PASSWORD
from test_pages import click_and_wait, sign_in


def fill(browser, **fields):
    for name, value in fields.items():
        element = browser.find_element(By.NAME, name)
        element.clear()
        element.send_keys(value)


def test_an_outsider_writes_and_the_secretariat_handles_it(server, browser, shot):
    base = server["base"]
    # An outsider, not signed in, from the CEPTOAR's page.
    browser.delete_all_cookies()
    browser.get(base + "/ceptoars/banks?as_of=2009-03-31")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=contact-link]"))
    assert "緊急連絡窓口" in browser.find_element(By.TAG_NAME, "h1").text
    published = [row.text for row in browser.find_elements(By.CSS_SELECTOR, "[data-testid=published-method]")]
    assert any("ceptoar@banks.example.jp" in row for row in published) and any("0300000001" in row for row in published)
    fill(browser, name="山田 太郎", organisation="○○電力株式会社", email="yamada-at-power", subject="不審な通信の共有",
         body="貴セプター構成員宛てと思われる不審メールを受信しました。")
    # The browser's own check stops a malformed address; the server's message is tested in Swift.
    browser.execute_script("document.querySelector('[data-testid=inbound-form]').noValidate = true;")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=inbound-form] button"))
    assert "メールアドレスの形式ではありません" in browser.find_element(By.CSS_SELECTOR, "[data-testid=error-message]").text
    assert browser.find_element(By.NAME, "organisation").get_attribute("value") == "○○電力株式会社"
    fill(browser, email="yamada@power.example.jp")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=inbound-form] button"))
    assert "受け付けました" in browser.find_element(By.CSS_SELECTOR, "[data-testid=inbound-received]").text
    shot("contact-banks-ja")
    # The same page in English, by the language switch.
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=lang-switch]"))
    assert "Emergency contact" in browser.find_element(By.TAG_NAME, "h1").text
    fill(browser, name="Jane Smith", organisation="Example Power", email="jane@power.example.com", subject="Phishing wave",
         body="We saw phishing aimed at your members.")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=inbound-form] button"))
    assert "Received" in browser.find_element(By.CSS_SELECTOR, "[data-testid=inbound-received]").text
    shot("contact-banks-en")

    # The banks' secretariat sees both and marks the first one handled.
    sign_in(browser, base, "banks-secretariat@demo.ceptoar.example", DEMO_PASSWORD)  # clears cookies: Japanese again
    browser.get(base + "/ceptoars/banks/inbound")
    rows = browser.find_elements(By.CSS_SELECTOR, "[data-testid=inbound-row]")
    assert len(rows) == 2
    assert "Phishing wave" in rows[0].text and "不審な通信の共有" in rows[1].text
    click_and_wait(browser, rows[1].find_element(By.CSS_SELECTOR, "button"))
    states = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "[data-testid=inbound-state]")]
    assert "対応済み" in states[1]
    shot("contact-queue-ja")
    # A member of the CEPTOAR does not see the queue.
    sign_in(browser, base, "bank@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(base + "/ceptoars/banks/inbound")
    assert browser.find_elements(By.CSS_SELECTOR, "[data-testid=inbound-row]") == []


def test_a_member_keeps_its_emergency_contacts(server, browser, shot):
    base = server["base"]
    sign_in(browser, base, "water@demo.ceptoar.example", DEMO_PASSWORD)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "nav a[href='/poc']"))
    assert "緊急連絡先" in browser.find_element(By.TAG_NAME, "h1").text
    # The demo gave the organisation a made-up roster of three; it keeps one real contact.
    for slot in (1, 2):
        fill(browser, **{f"c{slot}_name": "", **{f"c{slot}_m{m}_address": "" for m in range(4)}})
    fill(browser, c0_name="水野 一郎", c0_title="浄水課長", c0_hours="平日 8:30–17:15",
         c0_m0_address="mizuno@water.example.jp", c0_m1_address="０９０−１２３４−５６７８")
    browser.find_element(By.CSS_SELECTOR, "select[name=c0_m1_channel] option[value=mobile]").click()
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=poc-form] button"))
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=poc-saved]")
    methods = [item.text for item in browser.find_elements(By.CSS_SELECTOR, "[data-testid=saved-method]")]
    assert any("mizuno@water.example.jp" in m and "未確認" in m for m in methods)
    assert any("09012345678" in m for m in methods)
    shot("poc-ja")
    # In English, a contact without hours or the 24-hour mark is refused and nothing changes.
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=lang-switch]"))
    fill(browser, c1_name="Deputy Without Hours", c1_m0_address="deputy@water.example.jp")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=poc-form] button"))
    assert "give the hours" in browser.find_element(By.CSS_SELECTOR, "[data-testid=error-message]").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-testid=saved-contact]")) == 1
    shot("poc-en-error")
