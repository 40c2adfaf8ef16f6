"""Public pages, language switch, security headers, and no asset from another host."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from coprog import create_app
from coprog.core.security import HEADERS

PUBLIC_PAGES = ["/", "/accessibilita", "/privacy", "/pagina-che-non-esiste"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_render_in_italian(client, path):
    response = client.get(path)
    assert response.status_code == (404 if "non-esiste" in path else 200)
    html = response.get_data(as_text=True)
    assert '<html lang="it">' in html
    assert 'id="main-content"' in html
    assert "Vai al contenuto" in html


def test_language_switch_keeps_the_page(client):
    response = client.get("/lingua/en?next=/privacy")
    assert response.status_code == 302
    assert response.headers["Location"] == "/privacy"
    html = client.get("/privacy").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Privacy notice" in html
    assert "Skip to content" in html


def test_language_switch_links_point_back_to_the_current_page(client):
    html = client.get("/accessibilita").get_data(as_text=True)
    assert 'href="/lingua/en?next=/accessibilita"' in html


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/path",
        "https://evil.example/",
        "http:evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "evil.example",
        "javascript:alert(1)",
        "",
    ],
)
def test_language_switch_is_not_an_open_redirect(client, target):
    response = client.get("/lingua/en", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_unknown_language_is_not_found(client):
    assert client.get("/lingua/xx?next=/").status_code == 404


def test_security_headers(client):
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                      "frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert all(len(headers.getlist(name)) == 1 for name in HEADERS)
    assert "Strict-Transport-Security" not in headers  # the test app has no secure cookies: plain HTTP


def test_https_deployments_also_send_hsts(app):
    secure = create_app({**app.config, "SESSION_COOKIE_SECURE": True})
    headers = secure.test_client().get("/").headers
    assert headers.getlist("Strict-Transport-Security") == ["max-age=31536000"]
    assert headers.getlist("X-Frame-Options") == ["DENY"]


class AssetCollector(HTMLParser):
    """Every URL the browser would load by itself (src, link href, srcset, inline style)."""

    LOADED_BY = {"src", "srcset", "poster", "data", "action", "formaction"}

    def __init__(self):
        super().__init__()
        self.loaded: list[str] = []
        self.inline: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if "style" in values:
            self.inline.append(f"<{tag} style=...>")
        if tag == "style" or (tag == "script" and "src" not in values):
            self.inline.append(f"<{tag}>")
        for name, value in attrs:
            if name in self.LOADED_BY and value:
                self.loaded.extend(part.split()[0] for part in value.split(",") if part.strip())
        if tag == "link" and values.get("href"):
            self.loaded.append(values["href"])
        if tag == "use" and values.get("href"):
            self.loaded.append(values["href"])


def is_other_host(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.netloc) or parts.scheme not in ("", "data")


@pytest.mark.parametrize("path", PUBLIC_PAGES)
@pytest.mark.parametrize("lang", ["it", "en"])
def test_pages_load_nothing_from_other_hosts(client, path, lang):
    client.get(f"/lingua/{lang}")
    collector = AssetCollector()
    collector.feed(client.get(path).get_data(as_text=True))
    assert collector.loaded, "no assets found: is the parser broken?"
    foreign = [url for url in collector.loaded if is_other_host(url)]
    assert not foreign, f"{path} loads from other hosts: {foreign}"
    assert not collector.inline, f"{path} has inline styles or scripts: {collector.inline}"


def test_external_links_are_plain_links(client):
    """AgID and the Garante are linked for the reader, never loaded by the page."""
    html = client.get("/accessibilita").get_data(as_text=True)
    assert 'href="https://form.agid.gov.it/"' in html
    assert 'src="https://' not in html


def test_feedback_address_comes_from_config(app, client):
    email = app.config["COPROG_ACCESSIBILITY_EMAIL"]
    assert f'href="mailto:{email}"' in client.get("/accessibilita").get_data(as_text=True)


def test_url_if_tolerates_missing_endpoints(app):
    from coprog.core.templating import url_if

    with app.test_request_context("/"):
        assert url_if("pages.privacy") == "/privacy"
        assert url_if("nowhere.to_be_found") is None


def test_flashed_messages_use_roles(app, session):
    from flask import flash, render_template

    with app.test_request_context("/privacy"):
        flash("Fatto.", "success")
        flash("Attenzione.", "danger")
        html = render_template("pages/privacy.html", updated_on=None)
    assert '<div class="alert alert-success" role="status">Fatto.</div>' in html
    assert '<div class="alert alert-danger" role="alert">Attenzione.</div>' in html


def test_english_catalogue_is_complete_and_safe():
    """Every message translated, none fuzzy, and the same placeholders on both sides: a
    placeholder the Italian text lacks would make the page fail with an error in English."""
    import re
    from pathlib import Path

    from babel.messages.pofile import read_po

    path = Path(__file__).resolve().parents[2] / "coprog/translations/en/LC_MESSAGES/messages.po"
    catalogue = read_po(path.open("rb"))
    placeholder = re.compile(r"%\((\w+)\)[sd]")
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated or fuzzy: {ids[0]!r}")
            continue
        expected = set(placeholder.findall(ids[-1])) | set(placeholder.findall(ids[0]))
        for string in strings:
            if not set(placeholder.findall(string)) <= expected:
                problems.append(f"placeholder not in the Italian text: {ids[0]!r} -> {string!r}")
    assert not problems, "\n".join(problems[:40])


def test_favicon_ico_leads_to_the_site_icon(client):
    """Asked for by browsers on JSON and CSV files opened in a tab: not a 404."""
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert re.search(r"/static/img/favicon\.svg\?v=[0-9a-f]{12}$", response.headers["Location"])
    assert client.get(response.headers["Location"]).status_code == 200
