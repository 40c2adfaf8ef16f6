"""The repository's own promises: README commands first, a valid publiccode.yml."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CATEGORIES = {"e-participation", "collaboration", "document-management", "it-development"}


def test_readme_shows_the_two_commands_first():
    text = (ROOT / "README.md").read_text()
    first_block = text.split("```")[1]
    assert "make run" in first_block and "make test" in first_block
    assert text.index("make run") < text.index("## Configuration")


def test_publiccode_yml_has_the_required_keys():
    data = yaml.safe_load((ROOT / "publiccode.yml").read_text())
    assert data["publiccodeYmlVersion"] == "0"
    for key in ("name", "url", "platforms", "categories", "developmentStatus", "softwareType",
                "description", "legal", "maintenance", "localisation"):
        assert key in data, key
    assert set(data["categories"]) <= CATEGORIES
    assert data["softwareType"] == "standalone/web"
    assert data["legal"]["license"] == "EUPL-1.2"
    for lang in ("it", "en"):
        description = data["description"][lang]
        assert len(description["shortDescription"]) <= 150
        assert 150 <= len(description["longDescription"]) <= 10000
        assert description["features"]
    assert data["localisation"]["availableLanguages"] == ["it", "en"]


def test_browser_waits_pass_functions_not_strings_the_csp_would_refuse():
    """Playwright evaluates a bare expression string with eval() when it is not true at once;
    our CSP has no 'unsafe-eval', so such a wait fails only on a slow run. Pass "() => …"."""
    call = re.compile(r'wait_for_function\(\s*(?:#[^\n]*\n\s*)?f?"(?P<head>[^"]*)"')
    bare = [f"{path.name}: {m.group('head')[:40]}"
            for path in (ROOT / "tests").rglob("*.py")
            for m in call.finditer(path.read_text(encoding="utf-8"))
            if "=>" not in m.group("head")]
    assert bare == []
