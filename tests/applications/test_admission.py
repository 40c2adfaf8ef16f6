"""Admission: decisions with a reason after the deadline, integration and answer, the applicant
told through the outbox, the public list and its CSV without personal data."""

from datetime import UTC, timedelta

import pytest
from sqlalchemy import select

from coprog.applications import admission, services
from coprog.applications.admission import Decision
from coprog.applications.models import ApplicationState, CoOptedKind
from coprog.core.audit import history
from coprog.core.roles import Role
from coprog.notices.models import IllegalTransition
from coprog.notify.models import OutboxMessage

from ..conftest import csrf_token_from
from ..factories import make_application, make_notice, make_organisation, make_user


@pytest.fixture
def submitted(session):
    """A submitted application with a co-opted company and a co-opted citizen; the deadline passed."""
    owner = make_user(Role.ETS)
    notice = make_notice(published=True)
    application = make_application(notice, make_organisation(owner, name="APS La Rete Dimostrativa"), by=owner)
    services.add_co_opted(application, dict(kind=CoOptedKind.COMPANY, name="Impresa Esempio S.r.l.", role="Tirocini"))
    services.add_co_opted(application, dict(kind=CoOptedKind.CITIZEN, name="Mario Cittadino", role="Volontario"))
    services.submit(application.id, notice.id, by=owner)
    after = notice.deadline_at.replace(tzinfo=UTC) + timedelta(hours=1)
    session.commit()
    return application, owner, after


def test_decision_needs_a_reason_and_the_deadline(session, submitted):
    application, owner, after = submitted
    staff = make_user(Role.STAFF)
    with pytest.raises(services.ApplicationError, match="obbligatoria"):
        admission.decide(application, Decision.ADMIT, "  ", by=staff, now=after)
    with pytest.raises(services.ApplicationError, match="dopo la scadenza"):
        admission.decide(application, Decision.ADMIT, "Requisiti presenti", by=staff)
    assert application.state == ApplicationState.SUBMITTED


def test_admit_notifies_and_audits(session, submitted):
    application, owner, after = submitted
    staff = make_user(Role.STAFF)
    admission.decide(application, Decision.ADMIT, "Requisiti verificati sul RUNTS.", by=staff, now=after)
    assert application.state == ApplicationState.ADMITTED
    mails = session.scalars(select(OutboxMessage).where(OutboxMessage.template == "application_decision")).all()
    assert owner.email in {m.to_address for m in mails}
    assert all("Requisiti verificati sul RUNTS." in m.body_text for m in mails)
    entry = history(application)[-1]
    assert (entry.from_state, entry.to_state, entry.actor_id) == ("submitted", "admitted", staff.id)
    with pytest.raises(IllegalTransition):
        admission.decide(application, Decision.EXCLUDE, "Ripensamento", by=staff, now=after)


def test_integration_request_and_answer(session, submitted):
    application, owner, after = submitted
    staff = make_user(Role.STAFF)
    with pytest.raises(services.ApplicationError, match="termine futuro"):
        admission.decide(application, Decision.INTEGRATE, "Manca il repertorio", by=staff, now=after)
    admission.decide(application, Decision.INTEGRATE, "Manca il repertorio", by=staff, now=after,
                     due=after + timedelta(days=7))
    assert application.state == ApplicationState.INTEGRATION_REQUESTED
    with pytest.raises(services.DeadlinePassed):
        admission.answer_integration(application, "Repertorio 123", None, by=owner, now=after + timedelta(days=8))
    admission.answer_integration(application, "Repertorio 123", None, by=owner, now=after + timedelta(days=1))
    assert application.state == ApplicationState.SUBMITTED and application.integration_answer == "Repertorio 123"


def test_public_list_and_csv_without_personal_names(client, session, submitted, login_as):
    application, owner, after = submitted
    staff = make_user(Role.STAFF)
    admission.decide(application, Decision.ADMIT, "Ammessa", by=staff, now=after)
    slug = application.notice.procedure.slug
    session.commit()
    assert client.get(f"/dati/{slug}/ammessi.csv").status_code == 404  # not published yet
    admission.publish_admitted_list(application.notice, by=staff, now=after)
    session.commit()
    csv_text = client.get(f"/dati/{slug}/ammessi.csv").get_data(as_text=True)
    assert csv_text.splitlines()[0] == "protocollo;codice_fiscale;denominazione;sezione_runts;soggetti_cooptati"
    assert "APS La Rete Dimostrativa" in csv_text and "Impresa Esempio S.r.l." in csv_text
    assert "Mario Cittadino" not in csv_text and "nome non pubblicato" in csv_text
    page = client.get(f"/avvisi/{slug}").get_data(as_text=True)
    assert "Enti ammessi" in page and "APS La Rete Dimostrativa" in page and "Mario Cittadino" not in page


def test_staff_decision_form_bad_input_and_applicant_sees_it(client, session, submitted, login_as):
    application, owner, after = submitted
    from coprog.core.time import naive_utc, utcnow

    application.notice.deadline_at = naive_utc(utcnow() - timedelta(hours=1))  # the term is over
    session.commit()
    login_as(Role.STAFF)
    url = f"/gestione/candidature/{application.id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    empty = client.post(url, data={"csrf_token": token, "decision": "escludi", "reason": ""})
    assert empty.status_code == 422 and "Campo obbligatorio" in empty.get_data(as_text=True)
    no_due = client.post(url, data={"csrf_token": token, "decision": "integrazione", "reason": "Manca il file"})
    assert no_due.status_code == 422 and "termine futuro" in no_due.get_data(as_text=True)
    session.refresh(application)
    assert application.state == ApplicationState.SUBMITTED
    done = client.post(url, data={"csrf_token": token, "decision": "escludi", "reason": "Iscrizione al RUNTS da meno di 6 mesi."})
    assert done.status_code == 302
    client.get("/esci")
    login_as(None)
    # the applicant signs in and reads the decision and its reason
    from ..conftest import PASSWORD

    owner.set_password(PASSWORD)
    session.commit()
    token = csrf_token_from(client.get("/accedi").get_data(as_text=True))
    client.post("/accedi", data={"email": owner.email, "password": PASSWORD, "csrf_token": token})
    page = client.get(f"/domande/{application.id}").get_data(as_text=True)
    assert "Esclusa" in page and "Iscrizione al RUNTS da meno di 6 mesi." in page


def test_queue_filters_and_counts(client, session, submitted, login_as):
    application, owner, after = submitted
    login_as(Role.STAFF)
    notice_id = application.notice_id
    page = client.get(f"/gestione/avvisi/{notice_id}/candidature").get_data(as_text=True)
    assert "APS La Rete Dimostrativa" in page
    filtered = client.get(f"/gestione/avvisi/{notice_id}/candidature?stato=admitted").get_data(as_text=True)
    assert "APS La Rete Dimostrativa" not in filtered
    bogus = client.get(f"/gestione/avvisi/{notice_id}/candidature?stato=inventato&esito=x&asse=abc")
    assert bogus.status_code == 200
