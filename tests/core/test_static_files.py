"""Static files: versioned URLs kept for a year, unversioned ones revalidated."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from coprog.core.static_files import ONE_YEAR, StaticVersions

STATIC = Path(__file__).resolve().parents[2] / "static"


def _static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_every_static_url_of_a_page_carries_the_files_version(client):
    urls = _static_urls(client.get("/").get_data(as_text=True))
    assert len(urls) >= 5  # stylesheets, scripts, the favicon
    for url in urls:
        path, version = re.fullmatch(r"/static/([^?]+)\?v=([0-9a-f]{12})", url.split("#")[0]).groups()
        assert version == hashlib.sha256((STATIC / path).read_bytes()).hexdigest()[:12], url


def test_a_versioned_file_is_kept_for_a_year(client):
    url = next(u for u in _static_urls(client.get("/").get_data(as_text=True)) if "coprog.css" in u)
    response = client.get(url)
    assert response.status_code == 200
    assert response.cache_control.max_age == ONE_YEAR and response.cache_control.immutable
    assert response.data == (STATIC / "css/coprog.css").read_bytes()


def test_without_the_current_version_the_file_is_revalidated(client):
    for url in ("/static/css/coprog.css", "/static/css/coprog.css?v=000000000000"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.cache_control.max_age != ONE_YEAR and not response.cache_control.immutable, url
        assert response.headers.get("ETag") or response.headers.get("Last-Modified")


def test_a_changed_file_gets_a_new_version(tmp_path):
    target = tmp_path / "app.js"
    target.write_text("console.log(1);")
    versions = StaticVersions(str(tmp_path))
    first = versions.of("app.js")
    assert first == versions.of("app.js")
    target.write_text("console.log(22);")
    os.utime(target, ns=(1, 1))  # a deployment may keep the time: the size tells
    assert versions.of("app.js") not in (None, first)


def test_no_version_for_a_missing_file_or_a_path_outside_the_folder(tmp_path):
    (tmp_path.parent / "secret.txt").write_text("x")
    versions = StaticVersions(str(tmp_path))
    assert versions.of("missing.css") is None and versions.of("../secret.txt") is None
