"""Accessibility check with axe-core (WCAG 2.1 A and AA) on the page as the browser shows it."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_axe = Axe()


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
    return "\n".join(lines)


def check_a11y(page) -> None:
    """Fail with a readable list (rule, impact, target, help) if axe-core finds any violation."""
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    results = _axe.run(page, options=options)
    violations = results.response["violations"]
    assert not violations, f"axe-core found violations on {page.url}:\n" + format_violations(
        violations
    )
