"""A real SMTP server (aiosmtpd) on 127.0.0.1 and a free port, collecting what it receives."""

from __future__ import annotations

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CollectingHandler:
    def __init__(self):
        self.envelopes = []
        self.peers = []  # one entry per message: the client's address and port
        self.refuse = set()  # recipients answered with 550

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.peers.append(session.peer)
        return "250 Message accepted for delivery"

    def messages(self):
        return [
            email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes
        ]


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.handler = CollectingHandler()
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server(app, monkeypatch):
    """A running server; the app's SMTP settings point to it for the test."""
    server = SmtpServer()
    server.start()
    _point_app_to(app, monkeypatch, server.port)
    yield server
    server.stop()


@pytest.fixture
def stopped_smtp_server(app, monkeypatch):
    """A server not yet started: its port is closed until the test calls start()."""
    server = SmtpServer()
    _point_app_to(app, monkeypatch, server.port)
    yield server
    server.stop()


def _point_app_to(app, monkeypatch, port: int) -> None:
    settings = {
        "COPROG_SMTP_HOST": "127.0.0.1",
        "COPROG_SMTP_PORT": port,
        "COPROG_SMTP_USER": None,
        "COPROG_SMTP_STARTTLS": False,
        "COPROG_SMTP_SSL": False,
        "COPROG_SMTP_TIMEOUT": 5,
        "COPROG_MAIL_FROM": "Co-programmazione AUSL <noreply@coprog.example.it>",
        "COPROG_OUTBOX_MAX_ATTEMPTS": 3,
    }
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
