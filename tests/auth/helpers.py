"""Helpers for the auth tests: read the outbox, follow links, look into the session."""

from __future__ import annotations

import html
import re

from sqlalchemy import func, select

from coprog.notify.models import OutboxMessage

NEW_PASSWORD = "Una-nuova-frase-segreta-2026"


def outbox_to(session, address: str) -> list[OutboxMessage]:
    query = (
        select(OutboxMessage).where(OutboxMessage.to_address == address).order_by(OutboxMessage.id)
    )
    return list(session.scalars(query))


def link_in(message: OutboxMessage) -> str:
    """The path of the coprog link in an e-mail body, ready for the test client."""
    match = re.search(r"http://coprog\.test(/\S+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def flashes(client) -> list[str]:
    with client.session_transaction() as sess:
        return [message for _, message in sess.get("_flashes", [])]


def signed_in_user_id(client) -> str | None:
    with client.session_transaction() as sess:
        return sess.get("_user_id")


def page_text(response) -> str:
    """The page with entities decoded, to look for messages as a reader sees them."""
    return html.unescape(response.get_data(as_text=True))


def token_made_ago(app, salt: str, payload: dict, seconds: int) -> str:
    """A token signed `seconds` ago, as if the e-mail had waited that long."""
    import time

    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    class PastSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - seconds

    return URLSafeTimedSerializer(app.secret_key, salt=salt, signer=PastSigner).dumps(payload)
