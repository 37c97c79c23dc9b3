"""The dashboard end to end: a real headless Chromium (Debian's ``chromium``, driven by
Playwright) against a real ``emsplan serve`` on loopback, with a SQLite store in a
temporary folder.

The tests of this module are the steps of one planner's day, in order, on one server
and one browser (module-scoped, to keep the time down): sign in, upload the example and
a broken copy, create a scenario with an override checked as typed, plan it and watch the
progress, read the plan page (map, Sankey, local share, KPIs, costs, policies, a grid
sorted by its header), compare two plans, see what the ``EMS-A`` partner sees, and the
page of a small sweep. A step that needs an earlier one skips when that one did not get
there (its own failure is the one to read).

Every page is checked for labelled form fields, for no JavaScript error and no server
error, and every request the pages make is recorded: one that leaves the server's origin
(a CDN, a font, a map tile) fails the tests. A full-page screenshot of each page is
written to ``$EMSPLAN_SCREENSHOTS`` (default ``test-artifacts/screenshots/``): artefacts
to look at, not committed.

Chromium is never downloaded: without ``/usr/bin/chromium`` (or Playwright) the module
skips, except in CI (``CI=true``), where it fails.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

import httpx
import openpyxl
import pytest

from conftest import ROOT, SRC, subprocess_env
from server_helpers import PASSWORD, TEAM, Server, add_team, running_server, wait_job

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright, ViewportSize

CHROMIUM = Path("/usr/bin/chromium")
IN_CI = os.environ.get("CI") == "true"
#: The override of the scenario made in the browser, and a wrong one typed first.
OVERRIDE = "supply[supplier=CN-SZ].price*=1.2"
WRONG_OVERRIDE = "supply[supplier=NO-SUCH-SUPPLIER].price*=1.2"
SCENARIO = "cn-plus-20"
#: The scenario planned through the API beside it, for the comparison and the sweep.
SIDE_SCENARIO = "base"
PARTNER, PARTNER_SITE = "EMS-A", "EMS-A-NOIDA"
#: Plenty of time for a job on a busy machine.
JOB_TIMEOUT_S = 600
#: The relative MIP gap of the jobs started through the API (the default takes longer).
SIDE_GAP = 0.01
SWEEP_GAP = 0.05
SWEEP_SAMPLES = 3
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}


def _no_browser(reason: str) -> NoReturn:
    if IN_CI:
        pytest.fail(f"{reason}: CI=true, so the dashboard tests must run (see .ci/run).")
    pytest.skip(f"{reason}: the dashboard tests need a headless Chromium (apt install chromium).")


# -- what every page is checked for -----------------------------------------------------------
#: Form fields without a label (or aria-label / aria-labelledby) naming them.
UNLABELLED_JS = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter((e) => e.type !== 'hidden')
  .filter((e) => {
    const named = Array.from(e.labels || []).some((l) => l.textContent.trim() !== '');
    return !named && !(e.getAttribute('aria-label') || '').trim()
      && !(e.getAttribute('aria-labelledby') || '').trim();
  })
  .map((e) => e.outerHTML.slice(0, 160))"""

#: A short description of the focused element.
FOCUSED_JS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return 'body';
  return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ':' + e.textContent.trim();
}"""


@dataclass
class Recorder:
    """What the pages of the browser did: every request, JavaScript errors, server errors."""

    origin: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def watch(self, context: BrowserContext) -> None:
        context.on("page", self.watch_page)

    def watch_page(self, page: Page) -> None:
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        page.on(
            "response",
            lambda response: (
                self.errors.append(f"{response.status} from {response.url}")
                if response.status >= 500
                else None
            ),
        )

    def foreign(self) -> list[str]:
        """Requests that left the server's origin (data: and blob: URLs make none)."""
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob")
            and f"{urlsplit(url).scheme}://{urlsplit(url).netloc}" != self.origin
        ]


@dataclass
class Journey:
    """The day's results, handed from one step (test) to the next."""

    server: Server
    browser: Browser
    recorder: Recorder
    shots: Path
    example: Path
    sites: list[dict[str, Any]]
    periods: list[str]
    items: int
    pages: dict[str, Page] = field(default_factory=dict)
    network: str | None = None
    job: int | None = None
    plan: int | None = None
    side_job: int | None = None
    sweep_job: int | None = None
    visited: list[str] = field(default_factory=list)

    def need(self, value: Any, step: str) -> Any:
        if value is None:
            pytest.skip(f"needs the earlier step {step!r} of this module, which did not get there")
        return value

    def new_page(self) -> Page:
        context = self.browser.new_context(viewport=VIEWPORT, base_url=self.server.base_url)
        self.recorder.watch(context)
        # nothing leaves this machine even if a page asked for it (the test still fails)
        context.route(
            re.compile(r"^(?!" + re.escape(self.server.base_url) + r"/)[a-z]+://.*"),
            lambda route: route.abort(),
        )
        return context.new_page()

    def signed_in(self, user: str) -> Page:
        """A page of ``user``, signed in through the form (once per user)."""
        if user not in self.pages:
            page = self.new_page()
            sign_in(page, user)
            self.pages[user] = page
        return self.pages[user]

    def api(self, user: str = "asha") -> httpx.Client:
        return self.server.login(user)

    def check(self, page: Page, name: str) -> None:
        """The checks of every page, and its screenshot ``name``.png."""
        page.wait_for_load_state("load")
        unlabelled = page.evaluate(UNLABELLED_JS)
        assert unlabelled == [], f"form fields without a label on {page.url}: {unlabelled}"
        foreign = self.recorder.foreign()
        assert foreign == [], f"requests that left the server's origin: {foreign}"
        assert self.recorder.errors == [], "\n".join(self.recorder.errors)
        page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)
        self.visited.append(urlsplit(page.url).path)


def sign_in(page: Page, user: str, password: str = PASSWORD) -> None:
    """Sign in through the form, finding its fields by their labels."""
    page.goto("/")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("button", name="Sign out").is_visible(), page.content()[:2000]


def grid_rows(page: Page, testid: str) -> list[list[str]]:
    """The cells of the grid ``testid``, row by row (header left out)."""
    rows: list[list[str]] = page.locator(f"table[data-testid='{testid}']").evaluate(
        "(t) => Array.from(t.tBodies[0].rows).map((r) =>"
        " Array.from(r.cells).map((c) => c.textContent.trim()))"
    )
    return rows


def grid_columns(page: Page, testid: str) -> list[str]:
    columns: list[str] = page.locator(f"table[data-testid='{testid}'] thead th").all_inner_texts()
    return [c.strip(" ▲▼") for c in columns]


def number(text: str) -> float:
    return float(text.replace(",", "").rstrip("%"))


# -- fixtures -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def playwright_driver() -> Iterator[Playwright]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("Playwright is not installed (pip install playwright==1.49.1)")
    if not CHROMIUM.exists():
        _no_browser(f"{CHROMIUM} is missing")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def journey(
    playwright_driver: Playwright, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Journey]:
    folder = tmp_path_factory.mktemp("dashboard")
    db = str(folder / "store.db")
    example = folder / "india-2023.xlsx"
    done = subprocess.run(
        [sys.executable, "-m", "emsplan", "example", "india-2023", str(example)],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=120,
    )
    assert done.returncode == 0 and example.exists(), done.stderr + done.stdout
    add_team(db, {name: TEAM[name] for name in ("asha", "ems-a")})
    book = openpyxl.load_workbook(example, read_only=True)
    header, *rows = book["sites"].iter_rows(values_only=True)
    sites = [dict(zip(header, row, strict=False)) for row in rows if row and row[0]]
    periods = [
        str(row[0]) for row in list(book["periods"].iter_rows(values_only=True))[1:] if row[0]
    ]
    items = sum(1 for row in list(book["items"].iter_rows(values_only=True))[1:] if row[0])
    book.close()
    shots = Path(os.environ.get("EMSPLAN_SCREENSHOTS") or ROOT / "test-artifacts" / "screenshots")
    if shots.exists() and not os.environ.get("EMSPLAN_SCREENSHOTS"):
        shutil.rmtree(shots)
    shots.mkdir(parents=True, exist_ok=True)
    with running_server(db, folder / "server.log", "--workers", "2") as server:
        browser = playwright_driver.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"]
        )
        try:
            yield Journey(
                server, browser, Recorder(server.base_url), shots, example, sites, periods, items
            )
        finally:
            browser.close()


# -- 1. sign in ----------------------------------------------------------------------------------
def test_sign_in_by_labels_and_keyboard(journey: Journey) -> None:
    page = journey.new_page()
    page.goto("/")
    journey.check(page, "01-sign-in")
    assert page.get_by_label("Username").is_visible() and page.get_by_label("Password").is_visible()
    # The page opens with the cursor in Username; Tab goes on through the form, out of the
    # page and in again from the top: the skip link, the brand, Username, Password, Sign in.
    assert page.evaluate(FOCUSED_JS) == "input#username:"
    order = []
    for _ in range(12):
        page.keyboard.press("Tab")
        order.append(page.evaluate(FOCUSED_JS))
    top = order.index("a:Skip to content")
    assert order[top : top + 5] == [
        "a:Skip to content",
        "a:emsplan",
        "input#username:",
        "input#password:",
        "button:Sign in",
    ], order
    # a wrong password: the form again, with a message, and no session
    page.get_by_label("Username").fill("asha")
    page.get_by_label("Password").fill("not the password")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("alert").inner_text().strip() != ""
    assert page.get_by_label("Password").is_visible()
    # the right one, typed: signed in, on the home page
    page.get_by_label("Username").fill("asha")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_label("Password").press("Enter")
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert page.get_by_role("heading", name="Home").is_visible()
    journey.check(page, "02-home")
    # on a page without autofocus the first Tab reaches the skip link, which jumps to main
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED_JS) == "a:Skip to content"
    assert page.locator("a.skip").is_visible()  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    journey.pages["asha"] = page


# -- 2. upload -----------------------------------------------------------------------------------
def test_upload_the_example_shows_its_summary(journey: Journey) -> None:
    page = journey.signed_in("asha")
    page.goto("/upload")
    journey.check(page, "03-upload")
    page.get_by_label("Workbook").set_input_files(str(journey.example))
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and validate").click()
    summary = page.get_by_test_id("network-summary")
    assert summary.is_visible(), page.content()[:3000]
    text = summary.inner_text()
    assert "india-2023" in text
    assert f"{journey.items} items, {len(journey.sites)} sites" in text
    assert f"{len(journey.periods)} periods" in text
    assert f"({journey.periods[0]} to {journey.periods[-1]})" in text
    journey.check(page, "04-upload-summary")
    link = summary.get_by_role("link", name="Make a scenario of it")
    href = link.get_attribute("href") or ""
    network = href.partition("network=")[2]
    assert re.fullmatch(r"[0-9a-f]{16,}", network), href
    journey.network = network


def test_upload_a_broken_copy_shows_its_problems(journey: Journey, tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    book = openpyxl.load_workbook(journey.example)
    supply = book["supply"]
    header = [c.value for c in supply[1]]
    price, capacity = header.index("price") + 1, header.index("capacity") + 1
    supply.cell(row=4, column=price).value = -7.5
    supply.cell(row=9, column=capacity).value = -100
    book.save(broken)

    page = journey.signed_in("asha")
    page.goto("/upload")
    page.get_by_label("Workbook").set_input_files(str(broken))
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and validate").click()
    assert page.get_by_test_id("network-summary").count() == 0
    assert "nothing was stored" in page.get_by_role("heading", level=2).first.inner_text()
    assert grid_columns(page, "problems")[:7] == [
        "severity",
        "table",
        "row",
        "key",
        "column",
        "value",
        "message",
    ]
    rows = grid_rows(page, "problems")
    found = {(r[0], r[1], r[2], r[4], number(r[5])) for r in rows}
    assert ("error", "supply", "4", "price", -7.5) in found, rows
    assert ("error", "supply", "9", "capacity", -100) in found, rows
    # sortable: by row, descending on the second click
    sort = page.locator("table[data-testid=problems] button.sort", has_text="row")
    sort.click()
    assert sort.get_attribute("aria-sort") == "ascending"
    ascending = [number(r[2]) for r in grid_rows(page, "problems") if r[2]]
    assert ascending == sorted(ascending)
    sort.click()
    assert sort.get_attribute("aria-sort") == "descending"
    descending = [number(r[2]) for r in grid_rows(page, "problems") if r[2]]
    assert descending == sorted(ascending, reverse=True)
    journey.check(page, "05-upload-problems")


# -- 3. a scenario, planned ----------------------------------------------------------------------
def test_create_a_scenario_with_overrides_checked_as_typed(journey: Journey) -> None:
    network = journey.need(journey.network, "upload the example")
    page = journey.signed_in("asha")
    page.goto(f"/scenarios?network={network}")
    assert page.get_by_label("Network id").input_value() == network
    page.get_by_label("Name").fill(SCENARIO)
    overrides = page.get_by_label("Overrides")
    check = page.get_by_test_id("override-check")
    overrides.press_sequentially(WRONG_OVERRIDE, delay=5)
    check.locator("li.error", has_text=f"✗ {WRONG_OVERRIDE}: ").wait_for()
    wrong = check.inner_text()
    assert "✗" in wrong and "matches no row of table 'supply'" in wrong, wrong
    assert "CN-SZ" in wrong  # the message names the suppliers there are
    overrides.fill(OVERRIDE)
    check.locator("li.ok", has_text=f"✓ {OVERRIDE}").wait_for()
    assert check.inner_text().strip() == f"✓ {OVERRIDE}"
    page.get_by_label("Description").fill("Chinese parts 20% dearer")
    journey.check(page, "06-scenarios-new")
    page.get_by_role("button", name="Create scenario").click()
    page.wait_for_url(f"**/scenarios/{SCENARIO}")
    assert page.get_by_role("heading", name=f"Scenario {SCENARIO}").is_visible()
    assert page.locator("li code").all_inner_texts() == [OVERRIDE]
    journey.check(page, "07-scenario")


def start_side_jobs(journey: Journey, network: str) -> None:
    """Through the API, beside the browser's job: the scenario ``base`` planned (for the
    comparison) and a small sweep of it."""
    asha = journey.api()
    body = {"name": SIDE_SCENARIO, "network": network, "description": "The example as it is."}
    answer = asha.post("/api/scenarios", json=body)
    assert answer.status_code == 201, answer.text
    answer = asha.post(f"/api/scenarios/{SIDE_SCENARIO}/plans", json={"mip_gap": SIDE_GAP})
    assert answer.status_code == 202, answer.text
    journey.side_job = answer.json()["job"]
    sweep = {
        "scenario": SIDE_SCENARIO,
        "variations": ["demand.qty*=uniform(0.9,1.1)"],
        "samples": SWEEP_SAMPLES,
        "seed": 7,
        "mip_gap": SWEEP_GAP,
        "tables": False,
    }
    answer = asha.post("/api/sweeps", json=sweep)
    assert answer.status_code == 202, answer.text
    journey.sweep_job = answer.json()["job"]


def test_plan_it_and_watch_the_progress_reach_100_percent(journey: Journey) -> None:
    network = journey.need(journey.network, "upload the example")
    page = journey.signed_in("asha")
    page.goto(f"/scenarios/{SCENARIO}")
    if page.get_by_role("button", name="Plan it").count() == 0:
        pytest.skip("needs the scenario of the earlier step")
    page.get_by_role("button", name="Plan it").click()
    page.wait_for_url(re.compile(r".*/jobs/\d+$"))
    journey.job = int(page.url.rsplit("/", 1)[1])
    start_side_jobs(journey, network)
    bar = page.get_by_test_id("job-progress")
    assert bar.get_attribute("max") == "1"
    seen: list[tuple[float, str]] = []
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while time.monotonic() < deadline:
        value = float(bar.evaluate("(b) => b.value"))
        stage = page.locator("[data-job-stage]").inner_text()
        if not seen or seen[-1] != (value, stage):
            seen.append((value, stage))
        if value >= 1 or page.locator("[data-job-status]").inner_text() in (
            "failed",
            "interrupted",
        ):
            break
        time.sleep(0.2)
    values = [v for v, _ in seen]
    assert values[-1] == 1, (seen, page.locator("[data-job-message]").inner_text())
    assert values == sorted(values), seen  # never backwards
    assert any(0 < v < 1 for v in values) or len(seen) > 2, seen  # updated live, by stages
    assert page.locator("[data-job-status]").inner_text() == "done"
    assert page.locator("[data-job-percent]").inner_text() == "100%"
    link = page.get_by_role("link", name=re.compile(r"^Open plan #\d+$"))
    link.wait_for()
    plan = int((link.get_attribute("href") or "").rsplit("/", 1)[1])
    assert link.inner_text() == f"Open plan #{plan}"
    stages = page.locator("[data-job-stages] li").all_inner_texts()
    assert len(stages) >= 2, stages
    events = [u for u in journey.recorder.requests if u.endswith(f"/api/jobs/{journey.job}/events")]
    assert events, "the page did not follow the job's server-sent events"
    journey.check(page, "08-job-done")
    journey.plan = plan


# -- 4. the plan page ----------------------------------------------------------------------------
def supplier_plant_links(journey: Journey, plan: int) -> set[tuple[str, str]]:
    """Distinct supplier->plant pairs of the plan's flows with positive value, from the
    API's flows table and the example's sites (not from the page)."""
    answer = journey.api().get(f"/api/plans/{plan}/tables/flows", params={"limit": 10_000})
    table = answer.raise_for_status().json()
    assert table["total"] == len(table["rows"]) > 0
    kind = {str(s["site"]): str(s["kind"]) for s in journey.sites}
    return {
        (r["origin"], r["destination"])
        for r in table["rows"]
        if kind.get(r["origin"]) == "supplier"
        and kind.get(r["destination"]) == "plant"
        and (r["qty"] or 0) * (r["value"] or 0) > 0
    }


def test_plan_page_map_sankey_and_local_share(journey: Journey) -> None:
    plan = journey.need(journey.plan, "plan it")
    page = journey.signed_in("asha")
    page.goto(f"/plans/{plan}")
    assert page.get_by_role("heading", name=f"Plan #{plan} of {SCENARIO}").is_visible()

    # the map: one marker per site with lat/lon, placed by them
    placed = {
        str(s["site"]): (float(s["lat"]), float(s["lon"]))
        for s in journey.sites
        if s.get("lat") is not None and s.get("lon") is not None
    }
    assert len(placed) == 29 and "MKT-ONLINE" not in placed  # the example as documented
    svg = page.get_by_test_id("map").locator("svg").first
    markers = svg.locator("circle[data-testid=site-marker]")
    assert markers.count() == len(placed)
    assert svg.get_attribute("data-count") == str(len(placed))
    drawn = markers.evaluate_all(
        "(ms) => ms.map((m) => [m.dataset.site, Number(m.getAttribute('cx')),"
        " Number(m.getAttribute('cy'))])"
    )
    assert {site for site, _, _ in drawn} == set(placed)
    by_lon = sorted(drawn, key=lambda m: placed[m[0]][1])
    assert [x for _, x, _ in by_lon] == sorted(x for _, x, _ in by_lon)  # west to east
    by_lat = sorted(drawn, key=lambda m: placed[m[0]][0])
    assert [y for _, _, y in by_lat] == sorted((y for _, _, y in by_lat), reverse=True)
    assert markers.first.is_visible()

    # the Sankey: a link per supplier->plant pair of the plan's flows
    expected = supplier_plant_links(journey, plan)
    sankey = page.get_by_test_id("sankey")
    assert sankey.get_attribute("data-links") == str(len(expected))
    links = sankey.locator("path[data-testid=sankey-link]")
    assert links.count() == len(expected)
    pairs = links.evaluate_all("(ls) => ls.map((l) => [l.dataset.source, l.dataset.target])")
    assert {(s, t) for s, t in pairs} == expected
    groups = set(links.evaluate_all("(ls) => ls.map((l) => l.dataset.group)"))
    assert groups == {"local", "imported"}  # told apart

    # local share of the network: one point per period
    points = page.get_by_test_id("local-share").locator("circle[data-testid=point]")
    assert points.count() == len(journey.periods)
    xs = points.evaluate_all("(ps) => ps.map((p) => p.dataset.x)")
    assert xs == journey.periods

    # KPIs, costs and policies: there and not empty
    kpis = page.get_by_test_id("kpis")
    labels = [t.strip() for t in kpis.locator("dt").all_inner_texts()]
    for label in ("Total cost", "Service level", "Local share", "Duty paid", "MIP gap"):
        assert label in labels, labels
    values = [t.strip() for t in kpis.locator("dd").all_inner_texts()]
    assert len(values) == len(labels) and values[0] not in ("", "–"), values
    costs = page.get_by_test_id("cost-breakdown")
    assert int(costs.locator("svg").first.get_attribute("data-bars") or 0) > 0
    assert len(grid_rows(page, "cost-totals")) > 1
    policies = page.get_by_test_id("policies")
    assert policies.is_visible()
    policy_rows = grid_rows(page, "policy-table")
    assert policy_rows and policy_rows[0] != ["No rows."], policy_rows
    journey.check(page, "09-plan")


def test_plan_page_grids_sort_by_their_headers(journey: Journey) -> None:
    plan = journey.need(journey.plan, "plan it")
    page = journey.signed_in("asha")
    if urlsplit(page.url).path != f"/plans/{plan}":
        page.goto(f"/plans/{plan}")
    columns = grid_columns(page, "cost-totals")
    value = columns.index("value")
    header = page.locator("table[data-testid=cost-totals] button.sort", has_text="value")
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    up = [number(r[value]) for r in grid_rows(page, "cost-totals")]
    assert up == sorted(up) and len(up) > 1
    header.focus()
    page.keyboard.press("Enter")  # the headers are buttons: the keyboard sorts too
    assert header.get_attribute("aria-sort") == "descending"
    down = [number(r[value]) for r in grid_rows(page, "cost-totals")]
    assert down == sorted(up, reverse=True)
    # a plan table in its folded section: open it, filter it, sort it by text
    page.locator("summary", has_text="flows").click()
    flows = page.locator("table[data-testid=table-flows]")
    assert flows.is_visible()
    page.locator("input[data-filter-for=table-flows]").fill(PARTNER_SITE)
    shown = flows.evaluate(
        "(t) => Array.from(t.tBodies[0].rows).filter((r) => !r.hidden).map((r) => r.textContent)"
    )
    assert shown and all(PARTNER_SITE in row for row in shown)
    assert len(shown) < len(grid_rows(page, "table-flows"))
    origin = flows.locator("button.sort", has_text="origin")
    origin.click()
    names = [row[0] for row in grid_rows(page, "table-flows")]
    assert names == sorted(names, key=str.lower)
    journey.check(page, "10-plan-grids")


# -- 5. compare ----------------------------------------------------------------------------------
def test_compare_two_plans(journey: Journey) -> None:
    plan = journey.need(journey.plan, "plan it")
    side_job = journey.need(journey.side_job, "plan it")
    state = wait_job(journey.api(), side_job, JOB_TIMEOUT_S)
    assert state["status"] == "done", state
    side_plan = state["plan"]
    page = journey.signed_in("asha")
    page.goto(f"/compare?plans={side_plan},{plan}")
    section = page.get_by_test_id("compare")
    assert section.is_visible(), page.content()[:3000]
    kpis = grid_rows(page, "compare-kpis")
    columns = grid_columns(page, "compare-kpis")
    assert len(columns) >= 4 and any(" - " in c for c in columns), columns  # differences
    assert len(kpis) > 3
    assert len(grid_rows(page, "compare-costs")) > 1
    changes = page.get_by_test_id("changes").locator("li").all_inner_texts()
    assert changes and changes != ["No changes."]
    site_ids = {str(s["site"]) for s in journey.sites}
    for change in changes:  # each names what changed: an offer, a lane, a plant's item
        assert any(site in change.partition(": ")[0] for site in site_ids), changes
    assert page.get_by_test_id("compare-map").locator("svg").count() == 1
    journey.check(page, "11-compare")
    # a plan given twice: a message, not a server error
    answer = page.goto(f"/compare?plans={plan},{plan}")
    assert answer is not None and 400 <= answer.status < 500
    assert page.get_by_test_id("error").inner_text().strip() != ""


# -- 6. the partner ------------------------------------------------------------------------------
def test_the_partner_sees_only_its_own_site(journey: Journey) -> None:
    plan = journey.need(journey.plan, "plan it")
    answer = journey.api().post(f"/api/plans/{plan}/shares", json={"partner": PARTNER})
    assert answer.status_code == 204, answer.text
    page = journey.signed_in("ems-a")
    home = page.get_by_test_id("plans")
    assert home.get_by_role("link", name=f"#{plan}").is_visible()
    page.goto(f"/plans/{plan}")
    assert page.get_by_role("heading", name=f"Plan #{plan} for {PARTNER}").is_visible()
    html, text = page.content(), page.locator("body").inner_text()
    others = sorted(str(s["site"]) for s in journey.sites if s["site"] != PARTNER_SITE)
    assert len(others) == len(journey.sites) - 1
    assert PARTNER_SITE in text
    for where, content in (("text", text), ("HTML", html)):
        rest = content.replace(PARTNER_SITE, "")
        leaked = [site for site in others if site in rest]
        assert leaked == [], f"the partner's page shows other sites in its {where}: {leaked}"
    markers = page.locator("circle[data-testid=site-marker]")
    assert markers.count() == 1 and markers.first.get_attribute("data-site") == PARTNER_SITE
    # no money: no money column in any grid, no KPIs, no costs, no currency
    money = money_columns()
    for table in page.locator("table").all():
        headers = {h.strip(" ▲▼") for h in table.locator("thead th").all_inner_texts()}
        assert not headers & money, headers & money
    for testid in ("kpis", "cost-breakdown", "policies", "sankey"):
        assert page.get_by_test_id(testid).count() == 0, testid
    assert "INR" not in text and "cost" not in text.lower(), text
    for testid in ("build-plan", "inbound", "resource-loads"):
        assert page.get_by_test_id(testid).is_visible(), testid
    assert len(grid_rows(page, "build-table")) > 0
    loads = grid_rows(page, "loads-table")
    capacity = grid_columns(page, "loads-table").index("capacity")
    assert loads and all(row[capacity] for row in loads), loads  # every load has its capacity
    load = grid_columns(page, "loads-table").index("load")
    assert max(number(row[load]) for row in loads) <= 1 + 1e-6, loads  # a plan keeps capacity
    chart = page.get_by_test_id("resource-loads").locator("circle[data-testid=point]")
    assert chart.count() == len(loads)
    journey.check(page, "12-partner-plan")
    # another plan, not shown to it: refused, and still nothing of the other sites
    side_job = journey.side_job
    if side_job is not None:
        side_plan = wait_job(journey.api(), side_job, JOB_TIMEOUT_S)["plan"]
        refused = page.goto(f"/plans/{side_plan}")
        assert refused is not None and refused.status in (403, 404)
        assert not [s for s in others if s in page.content()]


def money_columns() -> set[str]:
    """The output columns whose unit is money, read from the schema file itself."""
    path = SRC / "emsplan" / "data" / "schema" / "output_columns.csv"
    with path.open(newline="") as f:
        return {row["column"] for row in csv.DictReader(f) if row["unit"].startswith("currency")}


# -- 7. sweeps -----------------------------------------------------------------------------------
def test_a_small_sweep_shows_its_distributions(journey: Journey) -> None:
    sweep_job = journey.need(journey.sweep_job, "plan it")
    page = journey.signed_in("asha")
    page.goto("/sweeps")
    assert page.get_by_label("Samples").is_visible()
    journey.check(page, "13-sweeps")
    state = wait_job(journey.api(), sweep_job, JOB_TIMEOUT_S)
    assert state["status"] == "done", state
    page.goto(f"/jobs/{sweep_job}")
    page.get_by_role("link", name=re.compile(r"^Open sweep ")).click()
    page.wait_for_url(re.compile(r".*/sweeps/[^/]+$"))
    variations = page.locator("main li code").all_inner_texts()
    assert variations == ["demand.qty*=uniform(0.9,1.1)"]  # as typed, not as stored
    distributions = page.get_by_test_id("distributions")
    assert distributions.is_visible()
    quantiles = grid_rows(page, "quantiles")
    metrics = {row[0] for row in quantiles}
    assert {"total_cost", "service_level", "local_share"} <= metrics, quantiles
    solved = int(re.search(r"(\d+) solved", page.locator("main").inner_text()).group(1))  # type: ignore[union-attr]
    assert solved == SWEEP_SAMPLES
    histograms = distributions.locator("svg.chart")
    assert histograms.count() == 3
    for i in range(3):
        counts = (
            histograms.nth(i)
            .locator("rect[data-testid=bin]")
            .evaluate_all("(bs) => bs.map((b) => Number(b.dataset.count))")
        )
        assert sum(counts) == solved, counts
    journey.check(page, "14-sweep")


# -- 8. everything the pages asked for ----------------------------------------------------------
def test_every_request_stayed_on_the_server(journey: Journey) -> None:
    requests = journey.recorder.requests
    assert len(requests) > 20  # the pages, their script and style, the job's events, ...
    assert any(u.endswith("/static/app.js") for u in requests)
    assert any(u.endswith("/static/app.css") for u in requests)
    assert journey.recorder.foreign() == []
    assert journey.recorder.errors == []
    shots = sorted(p.name for p in journey.shots.glob("*.png") if p.stat().st_size > 0)
    assert len(shots) >= 10, shots
