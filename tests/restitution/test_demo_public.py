"""What the demo publishes, read as the public reads it.

- The final document of seed 002's procedure is published a week after the restitution, its
  stored PDF the one the public downloads.
- No personal name on any public page or dataset: an anonymous crawl from the home page
  follows every link of the site (pages, open data, verbali and documents in PDF, calendars)
  and looks for the name of every demo person: registrants, users (facilitators, ETS staff,
  case managers…) and co-opted citizens. The RUP is the exception the law makes: the
  official in charge of a procedure is named in its notice.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from coprog.applications.models import CoOptedKind, CoOptedSubject
from coprog.auth.models import User
from coprog.notices.models import Notice, Procedure
from coprog.restitution.models import FinalDocumentState
from coprog.restitution.services import final_document as final_service
from coprog.tables.models import Registration

SLUG = "bds-bologna-2025"
LINK = re.compile(r'(?:href|src)="(/[^"]*)"')
NOT_CRAWLED = ("/static/", "/gestione/", "/accedi", "/esci", "/registrati", "/password", "/profilo", "/lingua")
MUST_REACH = (
    "/", f"/avvisi/{SLUG}", f"/avvisi/{SLUG}/restituzione", f"/avvisi/{SLUG}/documento-di-sintesi",
    f"/avvisi/{SLUG}/documento-di-sintesi.pdf", f"/avvisi/{SLUG}/trasparenza", f"/dati/{SLUG}/sintesi.json",
    f"/dati/{SLUG}/ammessi.csv", f"/dati/{SLUG}/partecipazione.json", f"/dati/{SLUG}/partecipazione.csv",
)


# The demo is loaded once per worker by the `demo_app` fixture (tests/conftest.py), network
# included; the tests read it through a session on that database, rolled back at the end.
@pytest.fixture
def session(demo_session):
    return demo_session


@pytest.fixture
def client(demo_client):
    return demo_client


def test_the_demo_publishes_the_final_document(session, client):
    procedure = session.scalar(select(Procedure).where(Procedure.slug == SLUG))
    document = final_service.published_document(procedure)
    assert document is not None and document.state == FinalDocumentState.PUBLISHED
    assert document.published_at.date().isoformat() == "2025-12-22"
    assert document.content["synthesis"]["sections"] and len(document.content["sessions"]) == 15
    pdf = client.get(f"/avvisi/{SLUG}/documento-di-sintesi.pdf")
    assert hashlib.sha256(pdf.data).hexdigest() == document.file.sha256


def personal_names(session) -> set[str]:
    official = {n.rup_name for n in session.scalars(select(Notice))}
    names = set(session.scalars(select(Registration.full_name)))
    names |= set(session.scalars(select(User.full_name)))
    names |= set(session.scalars(select(CoOptedSubject.name).where(CoOptedSubject.kind == CoOptedKind.CITIZEN)))
    return {n.strip() for n in names if n and n.strip() and not any(o and o in n for o in official)}


def text_of(response) -> str:
    if response.mimetype == "application/pdf":
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    return response.get_data(as_text=True)


def crawl(client) -> dict[str, str]:
    """Every page and file reachable from the home page by following links, as text."""
    seen: dict[str, str] = {}
    queue = deque(MUST_REACH)
    while queue:
        path = queue.popleft()
        if path in seen or path.startswith(NOT_CRAWLED):
            continue
        response = client.get(path)
        if response.status_code != 200:
            seen[path] = ""
            continue
        seen[path] = text = text_of(response)
        if response.mimetype == "text/html":
            for link in LINK.findall(text):
                target = urldefrag(link.replace("&amp;", "&"))[0]
                target = urlsplit(target).path  # query strings show the same data filtered or translated
                if target not in seen:
                    queue.append(target)
    return seen


def test_no_personal_name_on_any_public_page_or_dataset(session, client):
    names = personal_names(session)
    assert len(names) > 500  # seed 002: 504 registrations, plus the accounts
    pages = crawl(client)
    reached = {path for path, text in pages.items() if text}
    assert set(MUST_REACH) <= reached
    assert any(p.endswith("/verbale.pdf") for p in reached) and any(p.endswith(".geojson") for p in reached)
    assert len(reached) > 100
    leaks = [(path, name) for path, text in pages.items() for name in names if name in text]
    assert leaks == []
