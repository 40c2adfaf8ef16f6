"""Helpers for browser tests: screenshots and signing in like a user."""

from __future__ import annotations

import re
from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG under test-artifacts/screenshots/ and return its path."""
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
