"""Every role's home page in headless Chromium: signed in as each demo account, the page shows
the tiles of that role with numbers and links, the person's scopes' situation and the last
week — in Japanese and English; and the counts follow events live (an advisory reaching a
bank raises its count without a reload). Screenshots go to test-artifacts/screenshots/."""
import re

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import DEMO_PASSWORD, run, serve_demo
from test_pages import sign_in


@pytest.fixture(scope="module")
def server():
    """A fresh `serve --demo` with its generated past year, as a new user starts it."""
    yield from serve_demo(history=True)

# (account, tiles it must show, tiles it must not)
ROLES = [
    ("admin", {"failing_peers", "unacknowledged_advisories"}, {"held_hops", "reports_due"}),
    ("nisc", {"held_hops", "held_reports", "running_alerts", "call_tasks", "failing_peers"}, {"reports_due", "inbound_messages"}),
    ("fsa", {"held_hops", "held_reports", "running_alerts"}, {"reports_due", "inbound_messages", "failing_peers"}),
    ("mic", {"held_hops", "held_reports"}, {"reports_due"}),
    ("secretariat", {"held_hops", "held_reports", "inbound_messages", "agreements_awaiting_approval", "failing_peers", "call_tasks"}, {"reports_due"}),
    ("banks-secretariat", {"held_hops", "inbound_messages", "agreements_awaiting_approval"}, {"reports_overdue"}),
    ("power-secretariat", {"held_hops", "inbound_messages"}, {"reports_due"}),
    ("water-secretariat", {"held_hops", "inbound_messages"}, {"reports_due"}),
    ("analyst", {"agreements_awaiting_approval", "unacknowledged_advisories"}, {"held_hops", "inbound_messages", "reports_due"}),
    ("fisc", {"agreements_awaiting_approval", "unacknowledged_advisories"}, {"held_hops", "reports_due"}),
    ("member", {"unacknowledged_advisories", "reports_due", "reports_overdue", "reports_needing_revision", "alerts_to_acknowledge"}, {"held_hops", "failing_peers"}),
    ("bank", {"unacknowledged_advisories", "reports_due", "reports_needing_revision"}, {"held_hops", "inbound_messages"}),
    ("pending", {"unacknowledged_advisories", "reports_due"}, {"held_hops"}),
    ("city", {"unacknowledged_advisories", "reports_due"}, {"held_hops"}),
    ("water", {"unacknowledged_advisories", "reports_due"}, {"held_hops"}),
    ("power", {"unacknowledged_advisories", "reports_due"}, {"held_hops"}),
]


@pytest.mark.parametrize("account,shown,hidden", ROLES, ids=[r[0] for r in ROLES])
def test_every_roles_home_shows_its_work(server, browser, shot, account, shown, hidden):
    sign_in(browser, server["base"], f"{account}@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(server["base"] + "/")
    tiles = {e.get_attribute("data-testid")[len("tile-"):]: e for e in browser.find_elements(By.CSS_SELECTOR, "[data-testid^=tile-]")}
    assert shown <= set(tiles), f"{account}: {sorted(tiles)}"
    assert not (hidden & set(tiles)), f"{account}: {sorted(tiles)}"
    for key, tile in tiles.items():
        number = tile.find_element(By.CSS_SELECTOR, "strong").text
        assert re.fullmatch(r"[0-9,]+", number), (key, number)
        assert tile.get_attribute("href").startswith(server["base"] + "/")
    situation = browser.find_element(By.CSS_SELECTOR, "[data-testid=home-situation]").text
    assert "全国" in situation and "平常" in situation
    # The past year is there: everyone received advisories or holds steps that saw some.
    week_or_work = sum(int(e.text.replace(",", "")) for e in browser.find_elements(By.CSS_SELECTOR, "[data-count]"))
    assert week_or_work > 0 or account in ("admin", "analyst", "fisc", "mic", "pending"), account
    assert "受け取った注意喚起" in browser.find_element(By.CSS_SELECTOR, "[data-testid=home-week]").text
    if account in ("nisc", "banks-secretariat", "bank"):
        shot(f"home-{account}-ja")
        browser.get(server["base"] + "/?lang=en")
        assert "What needs you now" in browser.find_element(By.CSS_SELECTOR, "[data-testid=home-work]").text
        assert "Nation" in browser.find_element(By.CSS_SELECTOR, "[data-testid=home-situation]").text
        shot(f"home-{account}-en")


def test_a_first_start_with_its_past_year_is_ready_within_30_seconds(server):
    assert server["ready_seconds"] < 30, server["ready_seconds"]


def test_a_banks_count_rises_live_when_an_advisory_reaches_it(server, browser):
    base = server["base"]
    sign_in(browser, base, "bank@demo.ceptoar.example", DEMO_PASSWORD)
    browser.get(base + "/")
    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return document.body.dataset.live") == "connected")
    count = browser.find_element(By.CSS_SELECTOR, "[data-count=unacknowledged_advisories]")
    before = int(count.text.replace(",", ""))
    code, out, err = run("token", "create", "--email", "nisc@demo.ceptoar.example", "--database", server["database"])
    assert code == 0, err
    advisory = {
        "title": {"ja": "ホーム画面のライブ更新の確認", "en": "Live home check"}, "body": {"ja": "本文"},
        "severity": "critical", "category": "threat", "tlp": "GREEN", "targets": [{"kind": "ceptoar", "key": "banks"}],
    }
    response = requests.post(base + "/api/v1/advisories", json=advisory, headers={"Authorization": "Bearer " + out.decode().strip()})
    assert response.status_code == 201, response.text
    WebDriverWait(browser, 15).until(
        lambda d: int(d.find_element(By.CSS_SELECTOR, "[data-count=unacknowledged_advisories]").text.replace(",", "")) == before + 1)
    assert "hot" in browser.find_element(By.CSS_SELECTOR, "[data-testid=tile-unacknowledged_advisories]").get_attribute("class")
