"""A new ETS applies online and is admitted, end to end in Chromium, like the people would do it.

A new user signs up and confirms the address with the link of an e-mail delivered through a
real SMTP server (aiosmtpd on 127.0.0.1, fed by `coprog outbox send`); registers the
organisation by codice fiscale with the data proposed by the RUNTS mirror; fills Modello A,
adds a co-opted subject and submits; gets the receipt page and the receipt e-mail. The RUP
admits the application with a reason and publishes the list; the applicant sees the decision;
the notice's public page and its CSV list the organisation. axe-core runs on every page of the
flow, and in English on the main ones.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import socket
import subprocess
import uuid
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from aiosmtpd.controller import Controller

from .a11y import check_a11y
from .conftest import BIN, ROOT
from .helpers import login, screenshot

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "coprog-demo-2025"
STAFF = "rup@demo.coprog.it"

APPLICANT = {
    "name": "Lucia Fittizia",
    "email": f"lucia.fittizia.{uuid.uuid4().hex[:8]}@example.org",
    "password": "una password lunga per la prova",
}
ORGANISATION = "Associazione Ponte Immaginario APS (fittizia)"
CO_OPTED = "Gruppo informale Orti di Quartiere (fittizio)"
PERSON_CF = "RSSMRA80A01H501U"  # a valid personal codice fiscale (a fictional Mario Rossi)
REASON = "Iscritta al RUNTS da più di sei mesi; requisiti dell'avviso rispettati."


# A real SMTP server ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """aiosmtpd handler: keeps every message it accepts."""

    def __init__(self):
        self.received: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope.content)
        return "250 Message accepted for delivery"

    def texts_to(self, address: str) -> list[str]:
        """Plain-text bodies of the messages addressed to `address`, oldest first."""
        texts = []
        for raw in self.received:
            message = email.message_from_bytes(raw, policy=email.policy.default)
            if message["To"] == address:
                body = message.get_body(("plain",)).get_content()
                texts.append(body.replace("\r\n", "\n"))
        return texts


@pytest.fixture(scope="module")
def smtp():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller
    controller.stop()


def deliver_mail(live_database_url: str, smtp, tmp: Path) -> None:
    """One pass of `coprog outbox send`, as cron would run it, towards the test's SMTP server.

    The e-mails were rendered (links included) when the live server queued them, so the
    sender needs the live database but not the live server's secret key.
    """
    env = {
        **os.environ,
        "COPROG_DATABASE_URL": live_database_url,
        "COPROG_INSTANCE_PATH": str(tmp / "sender-instance"),
        "COPROG_SMTP_HOST": "127.0.0.1",
        "COPROG_SMTP_PORT": str(smtp.port),
        "COPROG_SMTP_STARTTLS": "0",
        "COPROG_SMTP_SSL": "0",
        "COPROG_SMTP_USER": "",
    }
    sent = subprocess.run(
        [str(BIN / "coprog"), "outbox", "send"],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False, timeout=60,
    )
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert "falliti 0" in sent.stdout, sent.stdout


# The live database, from the test process ---------------------------------------------------------


def entity_code() -> str:
    """A fresh valid 11-digit codice fiscale (the partita IVA check digit is Luhn's)."""
    from stdnum import luhn

    base = f"{8000000 + uuid.uuid4().int % 1000000:07d}037"  # 7-digit serial, office 037
    return base + luhn.calc_check_digit(base)


@pytest.fixture(scope="module")
def live_app(live_url, live_database_url, tmp_path_factory):
    """An app on the live server's database, for what no page does: setting the scene."""
    from coprog import create_app

    return create_app({
        "SQLALCHEMY_DATABASE_URI": live_database_url,
        "INSTANCE_PATH": str(tmp_path_factory.mktemp("live-app")),
        "SECRET_KEY": "only-to-write-the-scene",
    })


def open_notice(live_app, slug: str) -> int:
    """An open published notice of the default authority, its deadline 20 minutes ahead.

    The demo notice is closed already: applying needs an open one.
    """
    from sqlalchemy import select

    from coprog.auth.models import User
    from coprog.core.time import utcnow
    from coprog.extensions import db
    from coprog.notices.services import create_notice
    from coprog.territory.services import default_authority

    with live_app.app_context():
        rup = db.session.scalar(select(User).where(User.email == STAFF))
        authority = default_authority()
        data = {
            "title": f"Avviso di prova per la co-programmazione {slug[-6:]}",
            "summary": "Avviso creato dal test end-to-end delle domande.",
            "legal_basis": "Art. 55 del D.Lgs. 117/2017.",
            "objectives": "Provare la presentazione delle domande.",
            "requirements": "Iscrizione al RUNTS da almeno sei mesi.",
            "how_to_apply": "Presenta la domanda online con il Modello A.",
            "rup_name": "Anna Esempio",
            "rup_role": "Direttrice",
            "contact_email": "avvisi@example.org",
            "contact_pec": "",
            "contact_phone": "",
            "deadline_at": utcnow() + timedelta(minutes=20),
            "axis_ids": [a.id for a in authority.axes],
            "district_ids": [d.id for d in authority.districts],
        }
        notice = create_notice(authority, slug, data, [], by=rup)
        notice.publish(by=rup)
        db.session.commit()
        return notice.id


def close_the_deadline(live_app, notice_id: int) -> None:
    """Move the deadline into the past: the RUP decides only after it (admission.decide)."""
    from coprog.core.time import naive_utc, utcnow
    from coprog.extensions import db
    from coprog.notices.models import Notice

    with live_app.app_context():
        notice = db.session.get(Notice, notice_id)
        notice.deadline_at = naive_utc(utcnow() - timedelta(minutes=1))
        db.session.commit()


def list_in_runts(live_app, code: str) -> None:
    """The organisation in the RUNTS mirror, registered two years ago, as an import would."""
    from coprog.extensions import db
    from coprog.registry.models import RuntsEntity, RuntsSection

    today = date.today()
    with live_app.app_context():
        db.session.add(RuntsEntity(
            codice_fiscale=code, repertorio="112233", denominazione=ORGANISATION,
            sezione=RuntsSection("b"), comune="Bologna", provincia="BO",
            registered_on=today - timedelta(days=730), first_seen_snapshot=today,
            last_seen_snapshot=today, row_hash=uuid.uuid4().hex,
        ))
        db.session.commit()


# Helpers -----------------------------------------------------------------------------------------


def submit(page, button) -> None:
    with page.expect_navigation():
        button.click()


def flash_text(page) -> str:
    return page.locator(".coprog-messages").inner_text().strip()


def error_of(page, field_id: str) -> str:
    """The message beside a field, tied to it for screen readers."""
    field = page.locator(f"#{field_id}")
    assert field.get_attribute("aria-invalid") == "true", field_id
    assert f"{field_id}-error" in (field.get_attribute("aria-describedby") or "").split()
    return page.locator(f"#{field_id}-error").inner_text().strip()


def tick(page, field_id: str) -> None:
    """Bootstrap Italia draws checkboxes and radios on the label: click it, like a user."""
    page.locator(f"label[for='{field_id}']").click()
    assert page.is_checked(f"#{field_id}"), field_id


def checked(page, name: str) -> None:
    """axe-core clean, and a screenshot to look at."""
    check_a11y(page)
    screenshot(page, name)


def checked_in_english(page, name: str) -> None:
    """The same page in English (the header's language switch), checked; then back to Italian."""
    here = urlsplit(page.url)
    path = here.path + (f"?{here.query}" if here.query else "")
    with page.expect_navigation() as navigation:
        page.locator("header").get_by_role("link", name="English").click()
    assert navigation.value.status == 200, f"{path} in English answers {navigation.value.status}"
    assert page.locator("html").get_attribute("lang") == "en"
    assert urlsplit(page.url).path == here.path
    checked(page, f"{name}-en")
    page.goto(f"/lingua/it?next={quote(path)}")
    assert page.locator("html").get_attribute("lang") == "it"


def sign_out(page) -> None:
    page.goto("/esci")
    submit(page, page.locator("main form button[type=submit]"))
    assert flash_text(page) == "Sei uscito dall'area riservata."


# The flow ----------------------------------------------------------------------------------------


def test_a_new_ets_applies_and_is_admitted(page, page_log, live_app, live_database_url, smtp,
                                           tmp_path):
    page_log.allow_error("422")  # the bad input below is answered 422, on purpose
    page.set_default_timeout(10_000)
    slug = f"prova-domande-{uuid.uuid4().hex[:10]}"
    notice_id = open_notice(live_app, slug)
    code = entity_code()
    list_in_runts(live_app, code)
    user = APPLICANT

    # Sign up, and confirm the address with the link of the e-mail delivered by SMTP.
    page.goto("/registrati")
    checked(page, "apply-01-register")
    page.fill("#full_name", user["name"])
    page.fill("#email", user["email"])
    page.fill("#password", user["password"])
    page.fill("#password_confirm", user["password"])
    tick(page, "privacy")
    submit(page, page.locator("main form button[type=submit]"))
    assert f"Ti abbiamo inviato un'e-mail all'indirizzo {user['email']}" in flash_text(page)
    deliver_mail(live_database_url, smtp, tmp_path)
    texts = smtp.handler.texts_to(user["email"])
    assert len(texts) == 1, texts
    links = re.findall(r"https?://\S+(/verifica-email/\S+)", texts[0])
    assert links, texts[0]
    page.goto(links[0])  # the link is built on COPROG_BASE_URL, not the live port: its path
    assert flash_text(page) == "Indirizzo e-mail confermato: ora puoi accedere."
    checked(page, "apply-02-verified")
    login(page, user["email"], user["password"])
    assert flash_text(page) == f"Benvenuto, {user['name']}."

    # The notice: apply. With no organisation yet, the site asks to register it first.
    page.goto(f"/avvisi/{slug}")
    checked(page, "apply-03-notice")
    submit(page, page.locator("main").get_by_role("link", name="Presenta la domanda"))
    assert urlsplit(page.url).path == "/enti/nuovo"
    assert "registra prima l'ente" in flash_text(page)
    checked(page, "apply-04-organisation-new")
    checked_in_english(page, "apply-04-organisation-new")

    # A person's codice fiscale where the entity's is needed: the message beside the field.
    page.fill("#codice_fiscale", PERSON_CF)
    submit(page, page.get_by_role("button", name="Cerca nel RUNTS"))
    assert error_of(page, "codice_fiscale") == (
        "Questo è il codice fiscale di una persona: serve quello dell'ente, di 11 cifre."
    )
    assert page.input_value("#codice_fiscale") == PERSON_CF
    checked(page, "apply-05-organisation-personal-code")

    # The entity's code: the RUNTS mirror proposes its data.
    page.fill("#codice_fiscale", code)
    submit(page, page.get_by_role("button", name="Cerca nel RUNTS"))
    assert "Dati proposti dal RUNTS" in flash_text(page)
    assert page.input_value("#name") == ORGANISATION
    assert page.input_value("#runts_section") == "b"
    assert page.input_value("#repertorio") == "112233"
    assert page.input_value("#seat_comune") == "Bologna"
    checked(page, "apply-06-organisation-prefilled")
    page.fill("#pec", "ponte.immaginario@pec.example.org")
    page.fill("#email", "info@ponte-immaginario.example.org")
    page.fill("#phone", "051 000 1234")
    submit(page, page.get_by_role("button", name="Registra l'ente"))
    assert "Ente registrato" in flash_text(page)
    assert urlsplit(page.url).path == f"/avvisi/{slug}/domanda"  # back where the user was going

    # Choose the organisation and open Modello A.
    assert page.is_checked("input[name=ente]")  # the only organisation, already chosen
    checked(page, "apply-07-start")
    checked_in_english(page, "apply-07-start")
    submit(page, page.get_by_role("button", name="Inizia o riprendi la domanda"))
    assert page.locator("h1").inner_text() == "Domanda di partecipazione (Modello A)"
    application_path = urlsplit(page.url).path
    assert page.input_value("#pec") == "ponte.immaginario@pec.example.org"  # from the profile
    assert page.input_value("#declared_section") == "b"
    missing = page.locator("main .callout.warning").inner_text()  # what still stops sending
    assert "Indica il codice fiscale del legale rappresentante." in missing
    assert "mancano 5 dichiarazioni" in missing
    checked(page, "apply-08-modello-a")
    checked_in_english(page, "apply-08-modello-a")

    # Fill it in, with a wrong codice fiscale for the legal representative.
    tick(page, "applicant_role-0")
    page.fill("#legal_rep_name", user["name"])
    page.fill("#legal_rep_cf", "RSSMRA80A01H501X")
    page.fill("#legal_rep_role", "Presidente")
    page.fill("#phone", "051 000 1234")
    page.fill("#declared_repertorio", "112233")
    page.fill("#declared_registered_on", (date.today() - timedelta(days=730)).isoformat())
    tick(page, "axes-0")
    tick(page, "districts-0")
    page.fill("#experience", "Dieci anni di laboratori di orticoltura sociale con il DSM.")
    page.fill("#table_contact_name", "Piero Referente")
    page.fill("#table_contact_email", "piero.referente@example.org")
    for name in ("dsan_no_exclusion", "dsan_no_conflict", "dsan_accepts_notice",
                 "dsan_truthful", "privacy_ack"):
        tick(page, name)
    submit(page, page.get_by_role("button", name="Salva la bozza"))
    assert error_of(page, "legal_rep_cf") == "Codice fiscale della persona non valido."
    assert page.input_value("#legal_rep_cf") == "RSSMRA80A01H501X"  # the other input is kept
    assert page.input_value("#legal_rep_role") == "Presidente"
    assert page.input_value("#table_contact_name") == "Piero Referente"
    assert page.is_checked("#axes-0") and page.is_checked("#dsan_truthful")
    checked(page, "apply-09-modello-a-bad-code")

    page.fill("#legal_rep_cf", PERSON_CF)
    submit(page, page.get_by_role("button", name="Salva la bozza"))
    assert flash_text(page) == "Bozza salvata."
    assert page.input_value("#legal_rep_cf") == PERSON_CF
    assert page.locator("main .callout.warning").count() == 0  # nothing missing any more

    # A co-opted subject.
    page.select_option("#cooptato-kind", label="Gruppo informale")
    page.fill("#cooptato-name", CO_OPTED)
    page.fill("#cooptato-contact", "orti.quartiere@example.org")
    page.fill("#cooptato-role", "Porta ai tavoli l'esperienza degli orti condivisi.")
    submit(page, page.get_by_role("button", name="Aggiungi"))
    assert flash_text(page) == "Soggetto cooptato aggiunto."
    assert CO_OPTED in page.locator("#cooptati").inner_text()
    checked(page, "apply-10-co-opted")

    # Submit: the receipt, with protocol and SHA-256.
    submit(page, page.get_by_role("button", name="Invia la domanda"))
    assert flash_text(page) == "Domanda presentata."
    assert page.locator("h1").inner_text() == "Ricevuta di presentazione della domanda"
    summary = page.locator("main dl").first.inner_text()
    protocol = re.search(r"n\. (\d+) del", summary).group(1)
    sha256 = re.search(r"\b[0-9a-f]{64}\b", summary).group(0)
    assert CO_OPTED in page.locator("main").inner_text()
    checked(page, "apply-11-receipt")
    checked_in_english(page, "apply-11-receipt")

    # The receipt e-mail, delivered by SMTP, has the protocol and the SHA-256.
    deliver_mail(live_database_url, smtp, tmp_path)
    receipts = [t for t in smtp.handler.texts_to(user["email"]) if "Ricevuta della domanda" in t]
    assert len(receipts) == 1
    assert re.search(rf"^Protocollo: {protocol}$", receipts[0], re.MULTILINE), receipts[0]
    assert sha256 in receipts[0]

    # Submitted: read-only.
    page.goto(application_path)
    assert page.locator("h1").inner_text() == "Domanda di partecipazione"
    assert "Presentata" in page.locator("main dl").first.inner_text()
    checked(page, "apply-12-submitted")
    sign_out(page)

    # The deadline passes (moved into the past: decisions are allowed only after it).
    close_the_deadline(live_app, notice_id)

    # The RUP admits it with a reason and publishes the list.
    login(page, STAFF, DEMO_PASSWORD)
    page.goto(f"/gestione/avvisi/{notice_id}")
    submit(page, page.locator("main").get_by_role("link", name="Candidature"))
    checked(page, "apply-13-queue")
    checked_in_english(page, "apply-13-queue")
    submit(page, page.locator("main table").get_by_role("link", name=ORGANISATION))
    assert page.locator("h1").inner_text() == ORGANISATION
    assert "requisiti verificati" in page.locator("main").inner_text()
    evidence = page.locator("table", has=page.locator("caption", has_text="dati del registro"))
    assert "112233" in evidence.inner_text() and "iscritto" in evidence.inner_text()
    checked(page, "apply-14-review")
    checked_in_english(page, "apply-14-review")
    tick(page, "decision-0")
    page.fill("#reason", REASON)
    submit(page, page.get_by_role("button", name="Registra la decisione"))
    assert flash_text(page) == "Decisione registrata e comunicata all'ente."
    assert "Ammessa" in page.locator("main dl").first.inner_text()
    checked(page, "apply-15-admitted")
    submit(page, page.locator("main .breadcrumb").get_by_role("link", name="Candidature"))
    submit(page, page.get_by_role("button", name="Pubblica l'elenco degli ammessi"))
    assert flash_text(page) == "Elenco degli ammessi pubblicato."
    checked(page, "apply-16-list-published")
    sign_out(page)

    # The applicant sees the decision and its reason.
    login(page, user["email"], user["password"])
    page.goto(application_path)
    summary = page.locator("main dl").first.inner_text()
    assert "Ammessa" in summary
    assert REASON in summary
    checked(page, "apply-17-decision-seen")
    checked_in_english(page, "apply-17-decision-seen")
    sign_out(page)

    # The public page and the open data list the organisation, with its co-opted subject.
    page.goto(f"/avvisi/{slug}")
    admitted = page.locator("#ammessi")
    assert ORGANISATION in admitted.inner_text()
    assert CO_OPTED in admitted.inner_text()
    checked(page, "apply-18-notice-admitted")
    csv = page.request.get(f"/dati/{slug}/ammessi.csv")
    assert csv.ok
    rows = csv.text().splitlines()
    assert rows[0] == "protocollo;codice_fiscale;denominazione;sezione_runts;soggetti_cooptati"
    assert rows[1:] == [f"{protocol};{code};{ORGANISATION};b;{CO_OPTED} (Gruppo informale)"]
    checked_in_english(page, "apply-18-notice-admitted")
