"""HTML and script typed in every text field of an application are shown as text everywhere:
the applicant's pages, the receipt, the staff queue and review, the public admitted list."""

from datetime import UTC, timedelta

from coprog.applications import admission, services
from coprog.applications.admission import Decision
from coprog.applications.models import TEXT_FIELDS, CoOptedKind
from coprog.core.roles import Role

from ..conftest import PASSWORD, csrf_token_from
from ..factories import make_application, make_notice, make_organisation, make_user

SCRIPT = '<script>alert("x")</script><b>grassetto</b>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;grassetto&lt;/b&gt;"


def _sign_in(client, user):
    user.set_password(PASSWORD)
    token = csrf_token_from(client.get("/accedi").get_data(as_text=True))
    assert client.post("/accedi", data={"email": user.email, "password": PASSWORD, "csrf_token": token}).status_code == 302


def test_script_in_every_text_field_is_text_everywhere(client, session):
    owner = make_user(Role.ETS)
    notice = make_notice(published=True)
    organisation = make_organisation(owner, name=f"Ente {SCRIPT}")
    # every free-text field (codes, addresses, phones and short numbers have format validators)
    formatted = ("applicant_role", "legal_rep_cf", "pec", "email", "table_contact_email", "declared_section",
                 "phone", "table_contact_phone", "declared_repertorio")
    free_text = {name: SCRIPT for name in TEXT_FIELDS if name not in formatted}
    application = make_application(notice, organisation, by=owner, **free_text)
    services.add_co_opted(application, dict(kind=CoOptedKind.COMPANY, name=SCRIPT, role=SCRIPT, contact=SCRIPT))
    services.submit(application.id, notice.id, by=owner)
    staff = make_user(Role.STAFF)
    after = notice.deadline_at.replace(tzinfo=UTC) + timedelta(hours=1)
    admission.decide(application, Decision.ADMIT, SCRIPT, by=staff, now=after)
    admission.publish_admitted_list(notice, by=staff, now=after)
    session.commit()

    def check(url):
        html = client.get(url).get_data(as_text=True)
        assert SCRIPT not in html and "<b>grassetto</b>" not in html, url
        assert ESCAPED in html or "&lt;script&gt;" in html, url

    check(f"/avvisi/{notice.procedure.slug}")  # the public admitted list
    _sign_in(client, owner)
    for url in (f"/domande/{application.id}", f"/domande/{application.id}/ricevuta", "/domande", "/enti"):
        check(url)
    _sign_in(client, staff)
    for url in (f"/gestione/avvisi/{notice.id}/candidature", f"/gestione/candidature/{application.id}"):
        check(url)
    csv_text = client.get(f"/dati/{notice.procedure.slug}/ammessi.csv").get_data(as_text=True)
    assert '<script>alert(""x"")</script>' in csv_text  # plain text in a text/csv body, never HTML


def test_csv_cells_cannot_become_spreadsheet_formulas(app_ctx):
    assert admission.spreadsheet_safe("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert admission.spreadsheet_safe("+39 051") == "'+39 051"
    assert admission.spreadsheet_safe("APS Esempio") == "APS Esempio"
