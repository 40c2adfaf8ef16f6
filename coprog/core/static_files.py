"""Static files kept by browsers for a year: every URL that `url_for("static", …)` makes carries
a version of the file's content (`?v=` and 12 hex digits of its SHA-256), and a request with a
version that is the file's current one is answered `Cache-Control: public, max-age=31536000,
immutable`. A page then costs one request instead of a dozen revalidations of the stylesheets,
scripts and icons (each a round trip on a phone). A changed file gets a new URL, so nobody keeps an old one; a URL without a version
(a stylesheet's own url(), an old link) is revalidated as before.

The version is computed once per file and again only when the file's size or modification time
changes, so a deployment that replaces files needs no restart.
"""

from __future__ import annotations

import hashlib
import os

from flask import Flask, request
from werkzeug.security import safe_join

ONE_YEAR = 365 * 24 * 3600
VERSION_DIGITS = 12


class StaticVersions:
    def __init__(self, folder: str):
        self.folder = folder
        self._known: dict[str, tuple[tuple[int, int], str]] = {}

    def of(self, filename: str) -> str | None:
        """The file's version, or None for a path outside the folder or a missing file."""
        path = safe_join(self.folder, filename)
        try:
            stat = os.stat(path) if path else None
        except OSError:
            return None
        if stat is None:
            return None
        mark = (stat.st_size, stat.st_mtime_ns)
        known = self._known.get(filename)
        if known is None or known[0] != mark:
            with open(path, "rb") as file:
                known = (mark, hashlib.sha256(file.read()).hexdigest()[:VERSION_DIGITS])
            self._known[filename] = known
        return known[1]


def init_app(app: Flask) -> None:
    versions = StaticVersions(app.static_folder)
    revalidated_max_age = app.get_send_file_max_age

    @app.url_defaults
    def add_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = versions.of(values["filename"])
            if version:
                values["v"] = version

    def current(filename: str | None) -> bool:
        """The request names the file's current version (not an old or made-up one)."""
        wanted = request.args.get("v")
        return bool(wanted and filename and versions.of(filename) == wanted)

    def max_age(filename: str | None) -> int | None:
        return ONE_YEAR if current(filename) else revalidated_max_age(filename)

    app.get_send_file_max_age = max_age

    @app.after_request
    def immutable(response):
        if (request.endpoint == "static" and response.status_code == 200
                and current((request.view_args or {}).get("filename"))):
            response.cache_control.immutable = True
        return response
