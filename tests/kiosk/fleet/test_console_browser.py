"""The web console in real headless Chromium against a real ops server on 127.0.0.1.

Kiosks are enrolled and heartbeat through the real agent code. Screenshots go to
a temporary directory (``KIOSK_CONSOLE_SHOTS`` to keep them somewhere else).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from kiosk.fleet.agent.config_agent import ConfigAgent
from kiosk.fleet.agent.identity import provision
from kiosk.fleet.ops.client import OpsClient
from kiosk.fleet.ops.server import RunningOpsServer

# Debian's chromium and chromium-driver (scripts/setup.sh installs them): never skipped.
CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"

SITES = [  # (site type, name, devices)
    ("community", "朝阳门社区服务中心", {"idcard": "ok", "receipt_printer": "ok"}),
    ("bank", "建设银行东四支行", {"idcard": "ok", "receipt_printer": "paper_near_end"}),
    ("post_office", "东城邮政局", {"idcard": "missing", "receipt_printer": "ok"}),
    ("community", "北新桥街道", {"idcard": "ok", "receipt_printer": "ok"}),
]


@pytest.fixture(scope="module")
def shots() -> Iterator[Path]:
    keep = os.environ.get("KIOSK_CONSOLE_SHOTS")
    path = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="console-shots-"))
    path.mkdir(parents=True, exist_ok=True)
    yield path
    if not keep:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def fleet(
    ops: RunningOpsServer, admin_token: str, tmp_path_factory: pytest.TempPathFactory
) -> list[ConfigAgent]:
    """Four kiosks in group ``east``: one healthy, one paper near end, one without its
    reader, one that said goodbye (offline)."""
    admin = OpsClient(ops.url, admin_token)
    agents = []
    for n, (site_type, name, devices) in enumerate(SITES):
        data_dir = tmp_path_factory.mktemp(f"kiosk{n}")
        token = admin.create_enrolment_token("east", 3600)["token"]
        provision(
            data_dir, ops.url, token, site_type=site_type, site_name=name, region_code="110101"
        )
        agent = ConfigAgent(
            data_dir,
            inventory=lambda d=devices: {"devices": dict(d), "disk_free_bytes": 42 * 10**9},
        )
        agent.report()
        agents.append(agent)
    agents[3]._reporter.going_offline()  # a clean shutdown: offline at once
    return agents


@pytest.fixture(scope="module")
def browser(shots: Path) -> Iterator[object]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="chromium-")
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1280,900",
        "--lang=zh-CN",
    ):  # fmt: skip
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path=DRIVER)
    driver = webdriver.Chrome(options=options, service=service)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _login(driver: object, url: str, token: str) -> None:
    driver.delete_all_cookies()  # type: ignore[attr-defined]
    driver.get(f"{url}/console/login")  # type: ignore[attr-defined]
    driver.find_element(By.ID, "token").send_keys(token)  # type: ignore[attr-defined]
    _submit(driver, By.CSS_SELECTOR, "form button[type=submit]")


def _submit(driver: object, by: str, value: str) -> None:
    """Click a submit button and wait for the next page: reading it earlier races."""
    page = driver.find_element(By.TAG_NAME, "html")  # type: ignore[attr-defined]
    driver.find_element(by, value).click()  # type: ignore[attr-defined]

    def old_page_gone(_driver: object) -> bool:
        # Chromium reports a replaced document either as a stale element or as "node
        # does not belong to the document"; both mean the next page is there.
        try:
            page.is_enabled()
        except WebDriverException:
            return True
        return False

    WebDriverWait(driver, 15).until(old_page_gone)


def _filter_by_problem(driver: object, problem: str) -> None:
    """Apply the filter and wait for the new page: reading rows before it loads races."""
    Select(driver.find_element(By.ID, "f-problem")).select_by_value(problem)  # type: ignore[attr-defined]
    _submit(driver, By.ID, "apply-filters")


def _rows(driver: object) -> list[str]:
    cells = driver.find_elements(By.CSS_SELECTOR, "table.fleet tbody tr[data-kiosk]")  # type: ignore[attr-defined]
    return [c.get_attribute("data-kiosk") for c in cells]


def test_operator_sees_the_fleet_filters_opens_a_kiosk_and_pushes_a_canary(
    ops: RunningOpsServer, admin_token: str, fleet: list[ConfigAgent], browser: object, shots: Path
) -> None:
    d = browser
    _login(d, ops.url, "op_wrong")
    assert "令牌无效" in d.find_element(By.CSS_SELECTOR, ".field-error").text  # type: ignore[attr-defined]
    _login(d, ops.url, admin_token)
    assert d.current_url.endswith("/console/")  # type: ignore[attr-defined]
    cookie = d.get_cookie("tb_console")  # type: ignore[attr-defined]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    ids = [a.identity.kiosk_id for a in fleet]
    assert set(ids) <= set(_rows(d))
    assert d.find_element(By.ID, "count-offline").text != "0"  # type: ignore[attr-defined]
    d.save_screenshot(str(shots / "fleet.png"))  # type: ignore[attr-defined]

    _filter_by_problem(d, "paper_near_end")
    assert _rows(d) == [ids[1]]
    _filter_by_problem(d, "reader_missing")
    assert _rows(d) == [ids[2]]
    _filter_by_problem(d, "offline")
    assert _rows(d) == [ids[3]]
    d.save_screenshot(str(shots / "fleet-offline.png"))  # type: ignore[attr-defined]

    d.get(f"{ops.url}/console/kiosks/{ids[1]}")  # type: ignore[attr-defined]
    page = d.find_element(By.TAG_NAME, "main").text  # type: ignore[attr-defined]
    assert "建设银行东四支行" in page and "paper_near_end" in page and "full_report" in page
    assert d.find_elements(By.ID, "revoke")  # type: ignore[attr-defined]  # admin
    d.save_screenshot(str(shots / "kiosk.png"))  # type: ignore[attr-defined]

    d.get(f"{ops.url}/console/push?group=east")  # type: ignore[attr-defined]
    d.find_element(By.ID, "yaml").send_keys("ui:\n  no_such_key: 1\n")  # type: ignore[attr-defined]
    d.find_element(By.ID, "canary").clear()  # type: ignore[attr-defined]
    d.find_element(By.ID, "canary").send_keys("150")  # type: ignore[attr-defined]
    _submit(d, By.ID, "push")
    assert "0 to 100" in d.find_element(By.ID, "canary-error").text  # type: ignore[attr-defined]
    d.find_element(By.ID, "canary").clear()  # type: ignore[attr-defined]
    d.find_element(By.ID, "canary").send_keys("25")  # type: ignore[attr-defined]
    _submit(d, By.ID, "push")
    assert "no_such_key" in d.find_element(By.ID, "yaml-error").text  # type: ignore[attr-defined]
    d.save_screenshot(str(shots / "push-error.png"))  # type: ignore[attr-defined]
    d.find_element(By.ID, "yaml").clear()  # type: ignore[attr-defined]
    d.find_element(By.ID, "yaml").send_keys("ui:\n  announcement: 本周六 8:00-10:00 系统维护\n")  # type: ignore[attr-defined]
    _submit(d, By.ID, "push")

    # The push redirects to the rollout page: wait for it rather than race the navigation.
    WebDriverWait(d, 15).until(expected_conditions.url_matches(r"/console/rollouts/\d+$"))
    match = re.search(r"/console/rollouts/(\d+)$", d.current_url)  # type: ignore[attr-defined]
    assert match, d.current_url  # type: ignore[attr-defined]
    version = int(match.group(1))
    assert "Canary" in d.find_element(By.ID, "rollout-status").text  # type: ignore[attr-defined]
    canaries = OpsClient(ops.url, admin_token).rollout(version)["canaries"]
    assert len(canaries) == 1  # ⌈25 % of 4⌉
    d.save_screenshot(str(shots / "rollout-canary.png"))  # type: ignore[attr-defined]

    live = fleet[:3]
    (canary,) = [a for a in live if a.identity.kiosk_id in canaries] or [None]
    if canary is None:  # the offline kiosk was picked: bring it back to report
        canary = fleet[3]
        live = fleet
    assert canary.poll_once() == version and canary.apply_staged() == version
    d.refresh()  # type: ignore[attr-defined]
    assert "Released" in d.find_element(By.ID, "rollout-status").text  # type: ignore[attr-defined]
    for agent in live:
        if agent is not canary:
            assert agent.poll_once() == version and agent.apply_staged() == version
    d.refresh()  # type: ignore[attr-defined]
    applied = d.find_element(By.ID, "applied").text  # type: ignore[attr-defined]
    assert applied.startswith(f"{len(live)} / 4")
    d.save_screenshot(str(shots / "rollout-released.png"))  # type: ignore[attr-defined]


def _requests_login(url: str, token: str) -> tuple[requests.Session, str]:
    """Log in without a browser; the session and its CSRF token (from the page)."""
    s = requests.Session()
    page = s.get(f"{url}/console/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    s.post(f"{url}/console/login", data={"csrf": csrf, "token": token})
    page = s.get(f"{url}/console/").text
    return s, re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def test_a_viewer_sees_no_push_form_and_forged_posts_are_refused(
    ops: RunningOpsServer, admin_token: str, fleet: list[ConfigAgent], browser: object, shots: Path
) -> None:
    admin = OpsClient(ops.url, admin_token)
    viewer_token = admin.create_operator_token("值班员 viewer", "viewer")["token"]
    operator_token = admin.create_operator_token("运维 operator", "operator")["token"]
    d = browser
    _login(d, ops.url, viewer_token)
    assert _rows(d)  # a viewer sees the fleet
    assert not d.find_elements(By.LINK_TEXT, "推送配置 Push config")  # type: ignore[attr-defined]
    d.get(f"{ops.url}/console/kiosks/{fleet[0].identity.kiosk_id}")  # type: ignore[attr-defined]
    assert not d.find_elements(By.ID, "revoke")  # type: ignore[attr-defined]
    d.get(f"{ops.url}/console/push")  # type: ignore[attr-defined]
    assert not d.find_elements(By.ID, "yaml")  # type: ignore[attr-defined]
    assert "needs operator" in d.find_element(By.TAG_NAME, "main").text  # type: ignore[attr-defined]

    before = len(admin_bundles(ops))
    form = {"target_kind": "group", "target": "east", "canary": "0", "deadline": "60",
            "yaml": "ui:\n  announcement: forged\n"}  # fmt: skip
    viewer, viewer_csrf = _requests_login(ops.url, viewer_token)
    refused = viewer.post(f"{ops.url}/console/push", data={**form, "csrf": viewer_csrf})
    assert refused.status_code == 403
    operator, operator_csrf = _requests_login(ops.url, operator_token)
    assert operator.post(f"{ops.url}/console/push", data=form).status_code == 403  # no CSRF
    wrong = operator.post(f"{ops.url}/console/push", data={**form, "csrf": viewer_csrf})
    assert wrong.status_code == 403
    cross = operator.post(
        f"{ops.url}/console/push",
        data={**form, "csrf": operator_csrf},
        headers={"Origin": "http://evil.example"},
    )
    assert cross.status_code == 403
    # An operator may push but not revoke (admins only, in the console).
    revoke = operator.post(
        f"{ops.url}/console/kiosks/{fleet[0].identity.kiosk_id}/revoke",
        data={"csrf": operator_csrf},
    )
    assert revoke.status_code == 403
    assert len(admin_bundles(ops)) == before
    accepted = operator.post(
        f"{ops.url}/console/push", data={**form, "csrf": operator_csrf}, allow_redirects=False
    )
    assert accepted.status_code == 303 and "/console/rollouts/" in accepted.headers["location"]
    assert requests.get(f"{ops.url}/console/").url.endswith("/console/login")  # no session


def admin_bundles(ops: RunningOpsServer) -> list[dict[str, object]]:
    return ops.service.recent_bundles(1000)
