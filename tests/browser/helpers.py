"""Helpers for browser tests: screenshots and signing in like a user."""

from __future__ import annotations

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
