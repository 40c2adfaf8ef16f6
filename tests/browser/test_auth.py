"""Sign-up, login, logout, e-mail verification, password reset and profile, in Chromium.

The live server has no SMTP server: e-mails wait in its `outbox_messages` table, which the
`outbox` fixture reads to follow the verification and reset links like the user would.
Only two users are signed up (argon2 is slow on purpose): one by `test_sign_up_…`, one by the
module fixture `member`, shared by the password-reset and profile tests.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text

from .a11y import check_a11y
from .helpers import login, screenshot

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "coprog-demo-2025"
ETS = ("ets@demo.coprog.it", "Chiara Campione (ETS, demo)")
FACILITATOR = ("facilitatore@demo.coprog.it", "Marco Modello (facilitatore, demo)")


# Helpers ---------------------------------------------------------------------------------------


class Outbox:
    """Read-only access to the e-mails the live server has queued."""

    def __init__(self, url: str):
        self.engine = create_engine(url)

    def messages(self, to: str, template: str) -> list[str]:
        query = text(
            "SELECT body_text FROM outbox_messages WHERE to_address = :to AND template = :t "
            "ORDER BY id"
        )
        with self.engine.connect() as connection:
            return list(connection.execute(query, {"to": to, "t": template}).scalars())

    def link(self, to: str, template: str, path: str) -> str:
        """The path (on the live server) of the link to `path…` in the last such e-mail."""
        bodies = self.messages(to, template)
        assert bodies, f"no {template} e-mail queued for {to}"
        found = re.findall(rf"https?://[^\s<>\"']+{re.escape(path)}[^\s<>\"']+", bodies[-1])
        assert found, f"no link to {path} in:\n{bodies[-1]}"
        return urlsplit(found[0]).path  # the link is built on COPROG_BASE_URL, not the live port


@pytest.fixture(scope="module")
def outbox(live_database_url):
    reader = Outbox(live_database_url)
    yield reader
    reader.engine.dispose()


def submit(page, form) -> None:
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def main_form(page):
    return page.locator("main form")


def flash_text(page) -> str:
    return page.locator(".coprog-messages").inner_text().strip()


def header_text(page) -> str:
    return page.locator("header").inner_text()


def error_of(page, field_id: str) -> str:
    """The message shown beside a field, checked to be tied to it for screen readers."""
    field = page.locator(f"#{field_id}")
    assert field.get_attribute("aria-invalid") == "true", field_id
    assert f"{field_id}-error" in (field.get_attribute("aria-describedby") or "").split()
    return page.locator(f"#{field_id}-error").inner_text().strip()


def sign_up(page, name: str, email: str, password: str) -> None:
    page.goto("/registrati")
    page.fill("#full_name", name)
    page.fill("#email", email)
    page.fill("#password", password)
    page.fill("#password_confirm", password)
    page.locator("label[for=privacy]").click()  # Bootstrap Italia draws the box on the label
    submit(page, main_form(page))


@pytest.fixture(scope="module")
def member(browser, live_url, outbox):
    """A signed-up, verified ETS user; tests that change it update this dict."""
    user = {
        "name": "Giulia Verdi",
        "email": "giulia.verdi@example.org",
        "password": "prima password lunga",
    }
    context = browser.new_context(base_url=live_url, locale="it-IT")
    try:
        page = context.new_page()
        sign_up(page, user["name"], user["email"], user["password"])
        page.goto(outbox.link(user["email"], "verify_email", "/verifica-email/"))
        assert "Indirizzo e-mail confermato" in flash_text(page)
    finally:
        context.close()
    return user


# Login and logout ------------------------------------------------------------------------------


def test_login_with_a_wrong_password_then_the_right_one(page):
    email, name = ETS
    page.goto("/accedi")
    assert page.locator("h1").inner_text() == "Accedi all'area riservata"
    check_a11y(page)
    screenshot(page, "login-it")

    page.fill("#email", email)
    page.fill("#password", "password-sbagliata")
    submit(page, main_form(page))
    assert page.locator("#login-refusal").inner_text().strip() == (
        "Indirizzo e-mail o password non corretti."
    )
    assert page.input_value("#email") == email  # the e-mail is kept, the password is not
    assert page.input_value("#password") == ""
    check_a11y(page)
    screenshot(page, "login-error-it")

    page.fill("#password", DEMO_PASSWORD)
    submit(page, main_form(page))
    assert urlsplit(page.url).path == "/"
    assert flash_text(page) == f"Benvenuto, {name}."
    assert name in header_text(page)
    assert page.locator("header").get_by_role("button", name="Esci").is_visible()


def test_login_page_in_english(page):
    page.goto("/accedi")
    with page.expect_navigation():
        page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert urlsplit(page.url).path == "/accedi"
    assert page.locator("h1").inner_text() == "Sign in to the reserved area"
    assert page.get_by_label("E-mail address").is_visible()
    check_a11y(page)
    screenshot(page, "login-en")
    page.fill("#email", ETS[0])
    page.fill("#password", "wrong password")
    submit(page, main_form(page))
    assert page.locator("#login-refusal").inner_text().strip() == (
        "Incorrect e-mail address or password."
    )
    check_a11y(page)
    screenshot(page, "login-error-en")


def test_logout_asks_for_confirmation_then_signs_out(page):
    email, name = FACILITATOR
    login(page, email, DEMO_PASSWORD)
    page.goto("/esci")
    assert page.locator("h1").inner_text() == "Vuoi uscire dall'area riservata?"
    assert email in page.locator("main").inner_text()
    check_a11y(page)
    screenshot(page, "logout-it")

    submit(page, main_form(page))
    assert urlsplit(page.url).path == "/"
    assert flash_text(page) == "Sei uscito dall'area riservata."
    assert name not in header_text(page)
    assert page.locator("header").get_by_role("link", name="Accedi").is_visible()
    page.goto("/profilo")  # the session is really gone
    assert urlsplit(page.url).path == "/accedi"


# Sign-up and e-mail verification ---------------------------------------------------------------


def test_sign_up_shows_errors_then_verifies_the_address(page, outbox):
    name, email, password = (
        "Mario Rossi",
        "mario.rossi@example.org",
        "una frase facile da ricordare",
    )
    page.goto("/registrati")
    assert page.locator("h1").inner_text() == "Registrazione per gli enti del Terzo settore"
    check_a11y(page)
    screenshot(page, "register-it")

    # Bad input: too short a password, a different confirmation, the privacy box unticked.
    page.fill("#full_name", name)
    page.fill("#email", email)
    page.fill("#password", "corta")
    page.fill("#password_confirm", "diversa")
    submit(page, main_form(page))
    assert error_of(page, "password") == "La password deve avere da 12 a 128 caratteri."
    assert error_of(page, "password_confirm") == "Le due password non coincidono."
    assert error_of(page, "privacy") == (
        "Per registrarti devi dichiarare di aver letto l'informativa sulla privacy."
    )
    assert page.locator("#form-errors").get_by_role("link").count() == 3
    assert page.input_value("#full_name") == name  # the other input is kept
    assert page.input_value("#email") == email
    assert page.input_value("#password") == ""  # passwords are never sent back
    check_a11y(page)
    screenshot(page, "register-errors-it")

    # Good input: the page says to check the mailbox.
    page.fill("#password", password)
    page.fill("#password_confirm", password)
    page.locator("label[for=privacy]").click()  # Bootstrap Italia draws the box on the label
    submit(page, main_form(page))
    assert f"Ti abbiamo inviato un'e-mail all'indirizzo {email}" in flash_text(page)
    check_a11y(page)
    screenshot(page, "register-done-it")

    # Not yet verified: the login says so and offers to send the e-mail again.
    login(page, email, password)
    refusal = page.locator("#login-refusal")
    assert "Devi ancora confermare il tuo indirizzo e-mail" in refusal.inner_text()
    with page.expect_navigation():
        refusal.get_by_role("link", name="Invia di nuovo l'e-mail di conferma").click()
    assert page.input_value("#email") == email
    submit(page, main_form(page))
    assert f"Se all'indirizzo {email} corrisponde un account ancora da confermare" in flash_text(
        page
    )

    # The link in the e-mail confirms the address; then the login works.
    page.goto(outbox.link(email, "verify_email", "/verifica-email/"))
    assert flash_text(page) == "Indirizzo e-mail confermato: ora puoi accedere."
    screenshot(page, "register-verified-it")
    login(page, email, password)
    assert flash_text(page) == f"Benvenuto, {name}."
    assert name in header_text(page)


def test_resend_verification_page(page):
    page.goto("/verifica-email/invia")
    assert page.locator("h1").inner_text() == "Invia di nuovo l'e-mail di conferma"
    check_a11y(page)
    screenshot(page, "resend-verification-it")
    page.fill("#email", "non-un-indirizzo")
    submit(page, main_form(page))
    assert error_of(page, "email").startswith("L'indirizzo e-mail non è valido")
    assert page.input_value("#email") == "non-un-indirizzo"
    check_a11y(page)
    page.fill("#email", "nessuno@example.org")
    submit(page, main_form(page))
    assert urlsplit(page.url).path == "/accedi"
    assert "Se all'indirizzo nessuno@example.org corrisponde un account" in flash_text(page)


def test_a_broken_link_gets_a_clear_page(page, page_log):
    page_log.allow_error("400")
    response = page.goto("/verifica-email/non-valido")
    assert response.status == 400
    assert page.locator("h1").inner_text() == "Il collegamento non è valido"
    assert page.get_by_role("link", name="Invia di nuovo l'e-mail di conferma").is_visible()
    check_a11y(page)
    screenshot(page, "token-invalid-it")


# Password reset --------------------------------------------------------------------------------


def test_forgot_password_then_reset_it(page, outbox, member):
    page.goto("/password-dimenticata")
    assert page.locator("h1").inner_text() == "Password dimenticata"
    check_a11y(page)
    screenshot(page, "forgot-password-it")

    # The same answer whether or not the address has an account.
    answers = {}
    for email in ("sconosciuto@example.org", member["email"]):
        page.goto("/password-dimenticata")
        page.fill("#email", email)
        submit(page, main_form(page))
        assert urlsplit(page.url).path == "/accedi"
        answers[email] = flash_text(page).replace(email, "…")
    assert answers["sconosciuto@example.org"] == answers[member["email"]]
    assert "riceverai a breve un'e-mail" in answers[member["email"]]
    assert outbox.messages("sconosciuto@example.org", "reset_password") == []

    page.goto(outbox.link(member["email"], "reset_password", "/reimposta-password/"))
    assert page.locator("h1").inner_text() == "Scegli una nuova password"
    check_a11y(page)
    page.fill("#password", "una nuova password sicura")
    page.fill("#password_confirm", "un'altra password ancora")
    submit(page, main_form(page))
    assert error_of(page, "password_confirm") == "Le due password non coincidono."
    check_a11y(page)
    screenshot(page, "reset-password-error-it")

    new_password = "una nuova password sicura"
    page.fill("#password", new_password)
    page.fill("#password_confirm", new_password)
    submit(page, main_form(page))
    assert flash_text(page) == "Password aggiornata: ora puoi accedere con la nuova password."
    member["password"] = new_password
    login(page, member["email"], new_password)
    assert member["name"] in header_text(page)


# Profile ---------------------------------------------------------------------------------------


def test_profile_changes_the_name_and_refuses_a_wrong_current_password(page, member):
    login(page, member["email"], member["password"])
    page.goto("/profilo")
    assert page.locator("h1").inner_text() == "Il mio profilo"
    assert member["email"] in page.locator("main dl").inner_text()
    check_a11y(page)
    screenshot(page, "profile-it")

    new_name = "Giulia Verdi Bianchi"
    page.fill("#profile-full_name", new_name)
    submit(page, page.locator("form:has(#profile-full_name)"))
    assert flash_text(page) == "Dati del profilo aggiornati."
    assert page.input_value("#profile-full_name") == new_name
    assert new_name in header_text(page)
    member["name"] = new_name

    password_form = page.locator("form:has(#password-current_password)")
    page.fill("#password-current_password", "non è la mia password")
    page.fill("#password-new_password", "una password diversa e lunga")
    page.fill("#password-new_password_confirm", "una password diversa e lunga")
    submit(page, password_form)
    assert error_of(page, "password-current_password") == "La password attuale non è corretta."
    assert page.input_value("#profile-full_name") == new_name
    check_a11y(page)
    screenshot(page, "profile-password-error-it")
    # Nothing changed: the password still works.
    login(page, member["email"], member["password"])
    assert new_name in header_text(page)
