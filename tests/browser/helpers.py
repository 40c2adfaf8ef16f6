"""Helpers for browser tests: screenshots and signing in like a user."""

from __future__ import annotations

import os
import re
from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def screenshot(page, name: str) -> Path | None:
    """Save a full-page PNG under test-artifacts/screenshots/ and return its path, when asked
    for (`make screenshots`, COPROG_SCREENSHOTS=1): each costs up to 0.4 s of CPU, and the
    suite takes about 280 of them, which nobody looks at on a CI run."""
    if not os.environ.get("COPROG_SCREENSHOTS"):
        return None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, email: str, password: str) -> None:
    """Sign in through the real form at /accedi."""
    page.goto("/accedi")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    form = page.locator("form:has(input[name=password])")
    with page.expect_navigation():
        form.locator("button[type=submit], input[type=submit]").first.click()


def choose_axis(page, label: str) -> None:
    """Pick the axis of a new session: htmx then replaces the table groups with that axis's,
    so tick groups only after the swap (a box ticked before it is lost on a slow machine)."""
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        page.get_by_label(re.compile(r"^Asse(\s*\*)?$")).select_option(label=label)
    page.wait_for_function("() => document.querySelectorAll('#session-groups [role=group]').length === 1")
