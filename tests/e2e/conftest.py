"""Browser suite fixtures: per backend one database and one live server; one Chromium.

Each backend session: a throwaway database, `python -m admin_app migrate`, `create-staff`,
`seed-demo` for background rows, then `serve` on a free port until the session ends. Each test
gets a fresh browser context (so no cookies carry over) and creates the rows it works on.

A test fails when the browser logged an error, a request failed, or the server answered >= 500
(or a 4xx the test did not announce); screenshots go to test-results/e2e/<test name>/.
Run with E2E_UPDATE_DOCS_SCREENSHOTS=1 to refresh docs/screenshots/ from the SQLite run.
"""

import contextlib
import os
import subprocess
import sys
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Cookie, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.databases import BACKENDS, throwaway_database
from tests.e2e.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    RESULTS_DIR,
    STAFF_EMAIL,
    STAFF_PASSWORD,
    UPDATE_DOCS_ENV,
    VIEWPORT,
    BrowserProblems,
    Database,
    LiveServer,
    Screenshots,
    app_env,
    free_port,
    login,
    run_cli,
    stop,
    wait_until_healthy,
)

CALL_REPORT = pytest.StashKey[pytest.TestReport]()
PROBLEMS = pytest.StashKey[BrowserProblems]()


@pytest.hookimpl(trylast=True)  # after pytest has grouped the tests by backend
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # While the browser lives (until the session ends), the sync Playwright API keeps an
    # asyncio loop running in the main thread, and a later test that starts its own loop
    # (anyio) fails with "Cannot run the event loop while another loop is running". So in a
    # whole-suite run the browser tests go last, in the order pytest gave them.
    browser_tests = [item for item in items if item.get_closest_marker("e2e")]
    if browser_tests:
        others = [item for item in items if not item.get_closest_marker("e2e")]
        items[:] = others + browser_tests


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # Remember how the test body went: the context fixture judges browser problems only when
    # it passed, and a failure report gets the problems attached instead.
    report = yield
    if report.when == "call":
        item.stash[CALL_REPORT] = report
        problems = item.stash.get(PROBLEMS, None)
        if report.failed and problems is not None and problems.problems:
            report.sections.append(("Browser problems", problems.report()))
    return report


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    message = f"The browser suite needs Chromium at {CHROMIUM}"
    if os.environ.get("CI"):
        pytest.fail(
            f"{message}; install it in the CI image (apt-get install -y chromium).", pytrace=False
        )
    pytest.skip(f"{message}: sudo apt-get install -y chromium")


@pytest.fixture(scope="session", params=BACKENDS)
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    # Without a browser there is nothing to test: skip before creating anything.
    request.getfixturevalue("chromium_executable")
    backend: str = request.param
    folder = tmp_path_factory.mktemp(f"e2e-{backend}")
    with throwaway_database(backend, folder) as database_url:
        # The commands run in the temp folder so a developer's .env is not read.
        env = app_env(database_url)
        run_cli("migrate", env=env, cwd=folder)
        run_cli(
            "create-staff", STAFF_EMAIL, "--role", "admin",
            env=env, cwd=folder, stdin=f"{STAFF_PASSWORD}\n",
        )  # fmt: skip
        run_cli("seed-demo", "--users", "20", "--events", "60", "--seed", "1", env=env, cwd=folder)

        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = folder / "server.log"
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "admin_app",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                env=env,
                cwd=folder,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_until_healthy(url, process, log)
            yield LiveServer(
                backend=backend,
                url=url,
                database_url=database_url,
                staff_email=STAFF_EMAIL,
                staff_password=STAFF_PASSWORD,
            )
        finally:
            stop(process)


@pytest.fixture(scope="session")
def database(live_server: LiveServer) -> Iterator[Database]:
    db = Database(live_server.database_url)
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def browser(chromium_executable: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_problems(request: pytest.FixtureRequest) -> BrowserProblems:
    problems = BrowserProblems()
    request.node.stash[PROBLEMS] = problems
    return problems


@pytest.fixture(scope="session")
def results_dir() -> Path:
    """test-results/e2e/; each test's screenshots go to a folder of their own in it."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    return RESULTS_DIR


@pytest.fixture
def shots(
    request: pytest.FixtureRequest, live_server: LiveServer, results_dir: Path
) -> Screenshots:
    update_docs = live_server.backend == "sqlite" and os.environ.get(UPDATE_DOCS_ENV) == "1"
    return Screenshots(results_dir, request.node.name, update_docs=update_docs)


@pytest.fixture
def context(
    request: pytest.FixtureRequest,
    browser: Browser,
    live_server: LiveServer,
    browser_problems: BrowserProblems,
    shots: Screenshots,
) -> Iterator[BrowserContext]:
    context = browser.new_context(
        base_url=live_server.url, viewport=VIEWPORT, locale="en-US", timezone_id="UTC"
    )
    context.set_default_timeout(20_000)
    browser_problems.watch(context)
    try:
        yield context
        outcome = request.node.stash.get(CALL_REPORT, None)
        if outcome is not None and not outcome.passed:  # failed, or xfailed
            for number, page in enumerate(context.pages, start=1):
                with contextlib.suppress(PlaywrightError):  # best effort, e.g. mid-navigation
                    shots.take(page, f"failure-tab{number}")
        elif outcome is not None and browser_problems.problems:
            pytest.fail(
                f"The browser reported problems during the test:\n{browser_problems.report()}",
                pytrace=False,
            )
    finally:
        context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture(scope="session")
def admin_cookies(browser: Browser, live_server: LiveServer) -> list[Cookie]:
    """The suite admin's session, logged in once per server: each test's context starts with
    it instead of logging in again (a test that logs out uses an admin of its own)."""
    context = browser.new_context(base_url=live_server.url)
    try:
        login(context.new_page(), live_server.staff_email, live_server.staff_password)
        return context.cookies()
    finally:
        context.close()


@pytest.fixture
def admin_page(page: Page, context: BrowserContext, admin_cookies: list[Cookie]) -> Page:
    """A page logged in as the suite's admin, on the admin index."""
    context.add_cookies(admin_cookies)  # type: ignore[arg-type]  # the cookies it gave
    page.goto("/admin/")
    return page
