"""The pages in headless Chromium against `ceptoar serve --demo`: the map laid out like NISC's
table in both languages, sign-in for every demo role, the directory search. Screenshots go to
test-artifacts/screenshots/ to be looked at."""
import time

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.support.ui import WebDriverWait

from conftest import DEMO_PASSWORD

ROLES = [
    ("admin@demo.ceptoar.example", "システム管理者"),
    ("nisc@demo.ceptoar.example", "NISCコーディネータ"),
    ("fsa@demo.ceptoar.example", "所管省庁連絡担当"),
    ("secretariat@demo.ceptoar.example", "セプター事務局"),
    ("analyst@demo.ceptoar.example", "分析担当"),
    ("member@demo.ceptoar.example", "構成員"),
]


def click_and_wait(browser, element):
    """Clicks something that loads a new page and waits until the new page has loaded, so the
    next lookup cannot find an element of the page being left. The old page is marked with a
    script variable that the new document does not have (checking an old element for
    staleness can itself fail in Chromium while the page is being replaced).

    In some full e2e runs headless Chromium has held a form's POST for about 50 s before
    sending it (the server logs the request only then; never reproduced with fewer test
    modules). The wait is long enough to outlast that, and a slow click is written to
    test-artifacts/slow-clicks.log with what the page was, so it stays visible."""
    from conftest import ARTIFACTS
    browser.execute_script("window.__ceptoarLeaving = true;")
    url = browser.current_url
    started = time.monotonic()
    element.click()

    def arrived(driver):
        try:
            return driver.execute_script(
                "return window.__ceptoarLeaving === undefined && document.readyState === 'complete';")
        except WebDriverException:
            return False

    try:
        WebDriverWait(browser, 90).until(arrived)
    except TimeoutException:
        # What the browser was showing, for the one who reads the failure.
        (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / "screenshots" / "click-timeout.png"))
        state = browser.execute_script("return [location.href, document.readyState, String(window.__ceptoarLeaving), (document.activeElement || {}).outerHTML];")
        logs = [entry["message"] for entry in browser.get_log("browser")][-10:]
        raise TimeoutException(f"no new page 90 s after the click: {state}; console: {logs}")
    seconds = time.monotonic() - started
    if seconds > 10:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with open(ARTIFACTS / "slow-clicks.log", "a") as log:
            log.write(f"{time.strftime('%H:%M:%S')} {seconds:.1f} s from {url} to {browser.current_url}\n")


def sign_in(browser, base, email, password):
    browser.delete_all_cookies()
    browser.get(base + "/login")
    browser.find_element(By.NAME, "email").send_keys(email)
    browser.find_element(By.NAME, "password").send_keys(password)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=login-form] button"))


def test_map_page_matches_the_seed_table(server, browser, shot):
    browser.delete_all_cookies()
    browser.get(server["base"] + "/map?as_of=2009-03-31")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ja"
    rows = browser.find_elements(By.CSS_SELECTOR, "table.ceptoar-map tr")
    assert len(rows) == 10
    sector_cells = rows[0].find_elements(By.TAG_NAME, "td")
    assert [c.get_attribute("colspan") or "1" for c in sector_cells][:3] == ["2", "4", "1"]
    assert sector_cells[0].text == "情報通信"
    name_cells = rows[2].find_elements(By.TAG_NAME, "td")
    assert name_cells[2].text == "金融CEPTOAR連絡協議会"
    established = rows[4].find_elements(By.TAG_NAME, "td")
    assert [c.get_attribute("colspan") for c in established] == ["11", "3"]
    assert "平成19年3月末に整備" in established[0].text and "2007-03-31" in established[0].text
    assert "平成21年3月31日現在" in browser.find_element(By.CSS_SELECTOR, "[data-testid=as-of-line]").text
    shot("map-ja")

    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=lang-switch]"))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert "Critical infrastructure sector" in browser.find_element(By.CSS_SELECTOR, "table.ceptoar-map").text
    assert "Finance CEPTOAR Liaison Council" in browser.page_source
    shot("map-en")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=lang-switch]"))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ja"


def test_map_as_of_an_earlier_day(server, browser):
    browser.get(server["base"] + "/map?as_of=2007-06-01")
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.ceptoar-map tr:first-child td")) == 7
    assert "7分野11セプター" in browser.find_element(By.CSS_SELECTOR, "[data-testid=as-of-line]").text


@pytest.mark.parametrize("email, role", ROLES)
def test_every_demo_role_signs_in_and_out(server, browser, shot, email, role):
    sign_in(browser, server["base"], email, DEMO_PASSWORD)
    who = browser.find_element(By.CSS_SELECTOR, "[data-testid=signed-in-as]").text
    assert role in who
    if email.startswith("admin"):
        shot("home-signed-in")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=logout]"))
    assert browser.find_elements(By.CSS_SELECTOR, "[data-testid=login-link]")


def test_wrong_password_is_refused_in_japanese(server, browser, shot):
    sign_in(browser, server["base"], "member@demo.ceptoar.example", "not-the-password")
    assert "メールアドレスまたはパスワードが正しくありません" in browser.find_element(
        By.CSS_SELECTOR, "[data-testid=login-error]").text
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=signed-in-as]")
    shot("login-error-ja")


def test_directory_search(server, browser, shot):
    sign_in(browser, server["base"], "secretariat@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(server["base"] + "/organisations")
    box = browser.find_element(By.CSS_SELECTOR, "[data-testid=directory-search] input[name=q]")
    box.send_keys("水道")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=directory-search] button"))
    assert "1394件" in browser.find_element(By.CSS_SELECTOR, "[data-testid=directory-total]").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-testid=org-row]")) == 50
    shot("directory-ja")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=next-page]"))
    assert "page=2" in browser.current_url


def test_directory_requires_sign_in(server, browser):
    browser.delete_all_cookies()
    browser.get(server["base"] + "/organisations")
    assert browser.current_url.endswith("/login")


def test_forms_need_the_csrf_token(server):
    session = requests.Session()
    session.get(server["base"] + "/login")
    response = session.post(server["base"] + "/login",
                            data={"email": "admin@demo.ceptoar.example", "password": DEMO_PASSWORD},
                            allow_redirects=False, headers={"Accept": "text/html"})
    assert response.status_code == 403


def test_unknown_page_is_a_404_page_in_both_languages(server, browser):
    browser.get(server["base"] + "/no-such-page")
    assert "404" in browser.find_element(By.TAG_NAME, "h1").text
    response = requests.get(server["base"] + "/api/v1/nothing", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/problem+json")


def test_ceptoar_page_from_the_map(server, browser, shot):
    browser.delete_all_cookies()
    browser.get(server["base"] + "/map?as_of=2009-03-31")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "tr[data-row=scope] td[data-ceptoar=t-ceptoar] a"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "T-CEPTOAR"
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-testid=group]")) == 5
    assert "平成20年度" in browser.find_element(By.CSS_SELECTOR, "[data-testid=overview] h2").text
    shot("ceptoar-t-ceptoar-ja")


def test_relay_scenario_in_the_browser(server, browser, shot):
    """NISC publishes AMBER to finance and local government; a bank's open inbox lights up
    live; the bank acknowledges; a water utility cannot open it; NISC sees the timeline."""
    from conftest import run

    code, out, err = run("token", "create", "--database", server["database"], "--email", "nisc@demo.ceptoar.example")
    assert code == 0, err
    token = out.decode().strip()

    sign_in(browser, server["base"], "bank@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(server["base"] + "/inbox")
    before = browser.find_element(By.CSS_SELECTOR, "[data-testid=inbox-total]").text
    # The page marks itself once its event stream is open; only then can it hear the alert.
    WebDriverWait(browser, 30).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-live") == "connected")
    advisory = {
        "title": {"ja": "【注意喚起】VPN装置の脆弱性を悪用する攻撃について", "en": "Attacks on a VPN appliance"},
        "body": {"ja": "修正プログラムを速やかに適用してください。"}, "severity": "critical", "category": "vulnerability",
        "tlp": "AMBER", "targets": [{"kind": "sector", "key": "finance"}, {"kind": "sector", "key": "government"}],
        "references": ["CVE-2024-3400"],
    }
    response = requests.post(server["base"] + "/api/v1/advisories", json=advisory, headers={"Authorization": "Bearer " + token})
    assert response.status_code == 201, response.text
    advisory_id = response.json()["id"]
    WebDriverWait(browser, 30).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "[data-testid=live-banner]").is_displayed())
    shot("inbox-live-ja")
    browser.get(server["base"] + "/inbox")
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=inbox-total]").text != before
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, advisory["title"]["ja"]))
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=advisory-title]").text == advisory["title"]["ja"]
    browser.find_element(By.NAME, "comment").send_keys("適用済み")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=ack-form] button"))
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=acknowledged]")
    shot("advisory-acknowledged-ja")

    sign_in(browser, server["base"], "water@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(server["base"] + f"/advisories/{advisory_id}")
    assert "403" in browser.find_element(By.TAG_NAME, "h1").text

    sign_in(browser, server["base"], "nisc@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(server["base"] + f"/advisories/{advisory_id}/timeline")
    rows = browser.find_elements(By.CSS_SELECTOR, "[data-testid=hop-row]")
    assert len(rows) == 7  # FSA, MIC, four finance CEPTOARs, local government
    assert "受領確認 1" in browser.find_element(By.CSS_SELECTOR, "[data-testid=totals]").text
    shot("timeline-ja")
    browser.get(server["base"] + f"/advisories/{advisory_id}/timeline?lang=en")
    assert "acknowledged 1" in browser.find_element(By.CSS_SELECTOR, "[data-testid=totals]").text
    shot("timeline-en")


def test_review_publish_and_rules_pages(server, browser, shot):
    """NISC publishes a low-severity advisory with the form; FSA reviews it and forwards with a
    note; the banks' secretariat forwards it on; a bank that has not accepted its rules is
    offered them, accepts, and reads the advisory with FSA's note."""
    import uuid
    title = "【情報提供】画面からの発信 " + uuid.uuid4().hex[:6]
    sign_in(browser, server["base"], "nisc@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(server["base"] + "/advisories/new")
    browser.find_element(By.NAME, "titleJa").send_keys(title)
    browser.find_element(By.NAME, "bodyJa").send_keys("分析結果を共有します。")
    browser.find_element(By.CSS_SELECTOR, "select[name=severity] option[value=low]").click()
    browser.find_element(By.CSS_SELECTOR, "select[name=tlp] option[value=GREEN]").click()
    browser.find_element(By.CSS_SELECTOR, "input[name='ceptoars[]'][value=banks]").click()
    shot("publish-form-ja")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=publish]"))
    assert "確認待ち" in browser.find_element(By.CSS_SELECTOR, "table.list").text

    sign_in(browser, server["base"], "fsa@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(server["base"] + "/hops")
    row = [r for r in browser.find_elements(By.CSS_SELECTOR, "[data-testid=review-row]") if title in r.text][0]
    row.find_element(By.NAME, "note").send_keys("金融分野では特に注意")
    shot("review-ja")
    click_and_wait(browser, row.find_element(By.CSS_SELECTOR, "[data-testid=forward]"))

    sign_in(browser, server["base"], "banks-secretariat@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(server["base"] + "/hops?lang=en")
    row = [r for r in browser.find_elements(By.CSS_SELECTOR, "[data-testid=review-row]") if title in r.text][0]
    shot("review-en")
    click_and_wait(browser, row.find_element(By.CSS_SELECTOR, "[data-testid=forward]"))
    browser.get(server["base"] + "/lang/ja")

    sign_in(browser, server["base"], "pending@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(server["base"] + "/inbox")
    assert browser.find_elements(By.CSS_SELECTOR, "[data-testid=redacted]")
    advisory_link = server["base"] + "/advisories/" + requests.get(
        server["base"] + "/api/v1/inbox", cookies={c["name"]: c["value"] for c in browser.get_cookies()}).json()["items"][0]["advisoryID"]
    browser.get(advisory_link)
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=rules-text]")
    shot("rules-prompt-ja")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=accept-rules] button"))
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=advisory-title]").text == title
    assert "金融分野では特に注意" in browser.page_source


def test_the_content_security_policy_blocks_nothing_on_the_pages(server, browser):
    """Every page works under the strict policy (no inline script or style): the browser's
    console reports no violation, and the page's own script and stylesheet did load."""
    sign_in(browser, server["base"], "secretariat@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get_log("browser")  # start from an empty console
    for path in ["/", "/map", "/organisations", "/inbox", "/alerts", "/alerts/new", "/poc", "/hops", "/advisories/new",
                 "/ceptoars/t-ceptoar", "/ceptoars/t-ceptoar/contact", "/ceptoars/t-ceptoar/escalation", "/agreements", "/sync",
                 "/reports", "/failure-cases", "/report-statistics"]:
        browser.get(server["base"] + path)
        # The stylesheet applied: the header's background comes from /static/ceptoar.css.
        header = browser.find_element(By.TAG_NAME, "header")
        assert header.value_of_css_property("background-color") == "rgba(17, 34, 51, 1)", path
        violations = [entry["message"] for entry in browser.get_log("browser") if "Content Security Policy" in entry["message"]]
        assert violations == [], f"{path}: {violations}"
    # The live script ran on the inbox (it marks the page once its stream is open).
    browser.get(server["base"] + "/inbox")
    WebDriverWait(browser, 30).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-live") == "connected")
    # An inline script, were one ever injected, would be refused: proven on a page made for it.
    browser.execute_script("var s = document.createElement('script'); s.textContent = 'document.body.dataset.injected = 1'; document.body.appendChild(s);")
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-injected") is None
    assert any("Content Security Policy" in entry["message"] for entry in browser.get_log("browser"))


def test_agreement_pages_propose_approve_suspend_and_sync(server, browser, shot):
    """T-CEPTOAR's secretariat proposes an agreement with the power CEPTOAR on the page; the
    power secretariat approves it; the page shows its terms, approvals and history in Japanese
    and English; it is suspended with a reason; the sync page lists no peer yet."""
    import uuid
    key = "t-power-page-" + uuid.uuid4().hex[:6]
    sign_in(browser, server["base"], "secretariat@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(server["base"] + "/agreements")
    form = browser.find_element(By.CSS_SELECTOR, "[data-testid=propose-form]")
    form.find_element(By.NAME, "key").send_keys(key)
    form.find_element(By.NAME, "title_ja").send_keys("情報通信・電力 脆弱性情報の相互共有")
    form.find_element(By.NAME, "title_en").send_keys("Telecom and power: vulnerability sharing")
    form.find_element(By.NAME, "contact_0").send_keys("T-CEPTOAR 事務局 03-0000-0000")
    form.find_element(By.NAME, "party_1").send_keys("ceptoar:electricity")
    form.find_element(By.NAME, "contact_1").send_keys("電気事業連合会 情報通信部 03-1111-1111")
    form.find_element(By.NAME, "category_vulnerability").click()
    form.find_element(By.NAME, "anonymised").click()
    browser.execute_script("arguments[0].value = '2026-04-01'", form.find_element(By.NAME, "valid_from"))
    click_and_wait(browser, form.find_element(By.CSS_SELECTOR, "[data-testid=propose]"))
    assert "提案中" in browser.find_element(By.CSS_SELECTOR, "[data-testid=agreement-status]").text
    assert "承認待ち" in browser.page_source and "令和8年4月1日" in browser.page_source
    shot("agreement-proposed-ja")

    sign_in(browser, server["base"], "power-secretariat@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(server["base"] + f"/agreements/{key}")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=approve]"))
    assert "有効" in browser.find_element(By.CSS_SELECTOR, "[data-testid=agreement-status]").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-testid=history-row]")) == 3
    parties = browser.find_elements(By.CSS_SELECTOR, "[data-testid=party]")
    assert len(parties) == 2 and "電気事業連合会 情報通信部 03-1111-1111" in parties[1].text and "承認済み" in parties[1].text
    assert "SQL" not in browser.page_source and "発効" in browser.page_source
    shot("agreement-active-ja")
    browser.get(server["base"] + f"/agreements/{key}?lang=en")
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=agreement-status]").text == "active"
    assert "Telecom and power" in browser.page_source
    shot("agreement-active-en")
    browser.get(server["base"] + "/lang/ja")
    browser.get(server["base"] + f"/agreements/{key}")
    suspend = [f for f in browser.find_elements(By.CSS_SELECTOR, "form") if f.get_attribute("action").endswith("/suspend")][0]
    suspend.find_element(By.NAME, "reason").send_keys("運用見直しのため")
    click_and_wait(browser, suspend.find_element(By.CSS_SELECTOR, "[data-testid=suspend]"))
    assert "停止中" in browser.find_element(By.CSS_SELECTOR, "[data-testid=agreement-status]").text
    assert "運用見直しのため" in browser.page_source

    # A member of a third CEPTOAR does not see it at all.
    sign_in(browser, server["base"], "water@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(server["base"] + f"/agreements/{key}")
    assert "404" in browser.find_element(By.TAG_NAME, "h1").text

    sign_in(browser, server["base"], "power-secretariat@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(server["base"] + "/sync")
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=peer-form]")
    assert "ノード連携" in browser.find_element(By.TAG_NAME, "h1").text
    shot("sync-ja")
    browser.get(server["base"] + "/sync?lang=en")
    assert "Node federation" in browser.find_element(By.TAG_NAME, "h1").text
    shot("sync-en")
    browser.get(server["base"] + "/lang/ja")

