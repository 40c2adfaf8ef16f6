"""End-to-end tests in headless Chromium against a live coprog server (`pytest -m browser`).

One server per session, on an empty database migrated with `coprog db upgrade` and filled with
`coprog demo`. Every test gets a fresh browser context; at teardown it fails if the page asked
any other host for anything or if the console showed an error (CSP violation, 404, JS error).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.dbutil import fresh_database

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def _chromium_required():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: browser tests cannot run"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _coprog(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "coprog"), *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )


def _prepare_database(env: dict) -> None:
    migrated = _coprog("db", "upgrade", env=env)
    assert migrated.returncode == 0, migrated.stderr
    if "demo" in _coprog("--help", env=env).stdout:
        loaded = _coprog("demo", env=env)
        assert loaded.returncode == 0, loaded.stdout + loaded.stderr


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"coprog run exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers, even if with an error page
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"coprog did not answer on {url} within {timeout} s")


@pytest.fixture(scope="session")
def live_database_url(_chromium_required, tmp_path_factory) -> str:
    """URL of the live server's database: tests read it (e.g. the e-mail outbox), never write."""
    return fresh_database("browser", tmp_path_factory.mktemp("live-db"))


@pytest.fixture(scope="session")
def live_url(live_database_url, tmp_path_factory):
    """Base URL of a coprog server started for this session, stopped at the end."""
    tmp = tmp_path_factory.mktemp("live")
    env = {
        **os.environ,
        "COPROG_DATABASE_URL": live_database_url,
        "COPROG_INSTANCE_PATH": str(tmp / "instance"),
        "COPROG_DEMO": "1",
        "COPROG_PASSWORD_HASHING": "test",
        "COPROG_COOKIE_SECURE": "0",
        "FLASK_DEBUG": "0",
    }
    _prepare_database(env)
    port = _free_port()
    log = open(tmp / "server.log", "w")  # closed at teardown
    process = subprocess.Popen(
        [str(BIN / "coprog"), "run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url + "/", process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def browser(_chromium_required):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


class PageLog:
    """What a page asked for and what its console said."""

    def __init__(self):
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.allowed_errors: list[str] = []

    def allow_error(self, text: str) -> None:
        """Accept console errors containing `text` (e.g. the 404 status of an error page)."""
        self.allowed_errors.append(text)

    def unexpected_errors(self) -> list[str]:
        return [e for e in self.errors if not any(text in e for text in self.allowed_errors)]

    def attach(self, page) -> None:
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _request_failed(self, request) -> None:
        # A navigation cancels what the previous page was still loading: not an error.
        if request.failure != "net::ERR_ABORTED":
            self.errors.append(f"failed: {request.url} ({request.failure})")

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def _response(self, response) -> None:
        if response.status == 404 and response.request.resource_type != "document":
            self.errors.append(f"404: {response.url}")

    def foreign_requests(self, base_url: str) -> list[str]:
        allowed = ("data:", "blob:", "about:")
        return [
            url
            for url in self.requests
            if not (url == base_url or url.startswith(base_url + "/") or url.startswith(allowed))
        ]


@pytest.fixture
def page_log():
    return PageLog()


@pytest.fixture
def page(browser, live_url, page_log):
    """A fresh context and page per test; fails if the page reached another host or logged errors.

    A test expecting an error page calls page_log.allow_error("404") for that console message;
    the check on requests to other hosts always applies.
    """
    context = browser.new_context(
        base_url=live_url, locale="it-IT", viewport={"width": 1280, "height": 900}
    )
    new_page = context.new_page()
    page_log.attach(new_page)
    yield new_page
    context.close()
    foreign = page_log.foreign_requests(live_url)
    assert not foreign, "requests to other hosts:\n" + "\n".join(foreign)
    errors = page_log.unexpected_errors()
    assert not errors, "errors in the browser:\n" + "\n".join(errors)
