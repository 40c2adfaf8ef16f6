"""Security headers on every response. No page loads anything from another host."""

from __future__ import annotations

from flask import Flask

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        # data: only for the VideoJS icon font embedded in Bootstrap Italia's own CSS (a data:
        # URL reaches no host; Chromium decodes it eagerly, so it must be allowed, not blocked).
        "font-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    added = dict(HEADERS)
    if app.config.get("SESSION_COOKIE_SECURE"):
        added["Strict-Transport-Security"] = "max-age=31536000"

    @app.after_request
    def add_security_headers(response):
        # One pass over the response's headers (a view may set its own CSP), not one per name.
        present = {name.lower() for name, _ in response.headers}
        response.headers.extend((name, value) for name, value in added.items() if name.lower() not in present)
        return response
