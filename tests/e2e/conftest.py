"""End-to-end fixtures: the built canvas, a real QuantFlow server (uvicorn on a free 127.0.0.1 port,
a temp data dir, a user, the example plugin installed with pip) and Debian's Chromium driven by
Python Playwright. Every test saves screenshots under artifacts/e2e/ and fails on any browser
console error.

Needs: `pip install -r quantflow-web/e2e/requirements.txt` and `apt-get install chromium`.
Never `playwright install`: it downloads browsers, and these machines cannot.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from quantflow.testing.install import pip_install_into
from quantflow.testing.serving import create_user, free_port, server_env, serving

REPO = Path(__file__).resolve().parents[2]
DIST = REPO / "quantflow-web" / "dist"
SWAGGER_DIST = REPO / "quantflow-server" / "swagger" / "dist"
ARTIFACTS = REPO / "artifacts" / "e2e"
CHROMIUM = Path("/usr/bin/chromium")
EXAMPLE_PLUGIN = REPO / "examples" / "quantflow-plugin-example"
USER, PASSWORD = "trader1", "a long e2e password"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]

try:
    from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright
except ImportError as exc:  # a missing test dependency is a failure, never a silent skip
    raise ImportError("e2e tests need Playwright: pip install -r quantflow-web/e2e/requirements.txt") from exc


@pytest.fixture(scope="session")
def web_dist() -> Path:
    """The production build; built (npm ci && npm run build) when missing."""
    if not (DIST / "index.html").is_file():
        subprocess.run([str(REPO / "scripts" / "build-web.sh"), "--no-test"], check=True)
    assert (DIST / "index.html").is_file(), "the web build produced no index.html"
    return DIST


@pytest.fixture(scope="session")
def swagger_dist() -> Path:
    """Swagger UI's files for /schema (npm ci of the pinned swagger-ui-dist); built when missing."""
    subprocess.run([str(REPO / "scripts" / "build-swagger.sh"), "--if-missing"], check=True)
    assert (SWAGGER_DIST / "swagger-ui-bundle.js").is_file(), "the Swagger UI build produced no bundle"
    return SWAGGER_DIST


@dataclass
class Server:
    url: str
    env: dict[str, str]
    log: Path

    def client(self) -> httpx.Client:
        """An API client logged in as the e2e user (bearer token)."""
        token = httpx.post(f"{self.url}/api/auth/token", data={"username": USER, "password": PASSWORD}).json()
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {token['access_token']}"})


@pytest.fixture(scope="session")
def server(web_dist: Path, swagger_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("e2e-server")
    site = pip_install_into(EXAMPLE_PLUGIN, root / "site")  # a third-party plugin, installed as a user would
    port = free_port()
    env = server_env(root / "data", PYTHONPATH=str(site), QUANTFLOW_WEB_DIR=str(web_dist),
                     QUANTFLOW_SWAGGER_DIR=str(swagger_dist), QUANTFLOW_LOGIN_RATE_PER_MINUTE="10000")
    env.pop("QUANTFLOW_LOAD_PLUGINS", None)  # every installed plugin loads, as for a user
    create_user(env, USER, PASSWORD)
    log = root / "server.log"
    command = [sys.executable, "-m", "uvicorn", "quantflow_server.asgi:app", "--host", "127.0.0.1", "--port", str(port)]
    with serving(command, port, env, log) as (url, _):
        yield Server(url, env, log)


# Module scope, not session: Playwright's sync API keeps an event loop running in the main thread
# while it is open, which would break every later test that calls anyio.run / asyncio.run.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "e2e tests need Debian's Chromium: apt-get install -y chromium"
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Session:
    """One browser page against the server, with its console watched and its screenshots kept."""

    page: Page
    server: Server
    name: str
    errors: list[str] = field(default_factory=list)
    logged_in: bool = False
    shots: int = 0

    def watch(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = str(message.location.get("url", ""))
        # Before login the app asks /api/me once to learn whether a session exists: its 401 is the answer.
        if not self.logged_in and url.endswith("/api/me") and "401" in message.text:
            return
        self.errors.append(f"{message.text} ({url})")

    def shot(self, step: str) -> Path:
        self.shots += 1
        path = ARTIFACTS / self.name / f"{self.shots:02d}-{step}.png"
        self.page.screenshot(path=str(path))
        return path

    def login(self) -> None:
        page = self.page
        page.goto(self.server.url + "/")
        page.fill("#username", USER)
        page.fill("#password", PASSWORD)
        self.shot("login")
        self.logged_in = True
        page.click("button[type=submit]")
        page.wait_for_selector("text=Sign out")

    # --- canvas helpers -------------------------------------------------------------------------

    def drop(self, type_id: str, x: float, y: float) -> None:
        """Drag a node type from the palette onto the canvas at (x, y) inside the canvas."""
        item = self.page.locator(f'.palette-item[data-type-id="{type_id}"]')
        item.scroll_into_view_if_needed()
        item.drag_to(self.page.locator(".canvas"), target_position={"x": x, "y": y})

    def node(self, node_id: str) -> Any:
        return self.page.locator(f'.react-flow__node[data-id="{node_id}"]')

    def handle(self, node_id: str, port: str, side: str) -> Any:
        kind = "source" if side == "out" else "target"
        return self.node(node_id).locator(f'.react-flow__handle.{kind}[data-handleid="{port}"]')

    def connect(self, source: str, source_port: str, target: str, target_port: str) -> None:
        """Drag from an output handle to an input handle, as a person would."""
        a = self.handle(source, source_port, "out").bounding_box()
        b = self.handle(target, target_port, "in").bounding_box()
        assert a and b, f"handles {source}.{source_port} / {target}.{target_port} are not on screen"
        mouse = self.page.mouse
        mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
        mouse.down()
        mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2, steps=12)
        mouse.up()

    def select(self, node_id: str) -> None:
        self.node(node_id).locator(".qf-node-title").click()
        self.page.wait_for_selector(f'.side-panel[data-node-id="{node_id}"]')

    def param(self, path: str) -> Any:
        return self.page.locator(f'.side-panel [data-param="{path}"]')

    def api(self) -> Any:
        """The page's own request context: it carries the login cookie, as the app's fetches do."""
        return self.page.context.request


@pytest.fixture
def session(browser: Browser, server: Server, request: pytest.FixtureRequest) -> Iterator[Session]:
    name = request.node.name
    shutil.rmtree(ARTIFACTS / name, ignore_errors=True)
    (ARTIFACTS / name).mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    s = Session(page, server, name)
    page.on("console", s.watch)
    page.on("pageerror", lambda exc: s.errors.append(f"uncaught: {exc}\n{exc.stack}"))
    try:
        yield s
        s.shot("end")
    finally:
        context.close()
    assert s.errors == [], "browser console errors:\n" + "\n".join(s.errors)
