"""Contributions: the checks (every bad input of the issue, all at once, nothing saved), the
actors a form names, moderation with its audit and e-mails, changes and resubmission, the
contributions taken from a verbale's Part 2; the pages (422 with the message beside the field,
input kept, user text as text, the comuni narrowed with htmx) and who may reach them.

The AUSL Bologna preset is loaded, so that the territory's GeoJSON applies: Casalecchio di
Reno is in the district "Reno, Lavino e Samoggia", Bologna in "Città di Bologna"."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from sqlalchemy import func, select

from coprog.actors.models import Actor, ActorKind
from coprog.actors.services import actor_for_organisation, actor_key, name_actor
from coprog.applications.models import CoOptedKind, CoOptedSubject
from coprog.core.audit import history
from coprog.core.roles import Role
from coprog.extensions import db
from coprog.mapping.models import (
    Contribution,
    ContributionSource,
    ContributionState,
    NetworkSnapshot,
    OfferMode,
    Placement,
)
from coprog.mapping.services import contributions as service
from coprog.mapping.services.contributions import (
    ActorInput,
    ContributionError,
    TableActorsInput,
    suggest_offer_mode,
)
from coprog.notices.models import IllegalTransition
from coprog.notify.models import OutboxMessage
from coprog.tables.services import minutes as minutes_service
from coprog.tables.services.minutes import DirectionInput
from coprog.territory.geo import comune_point
from coprog.territory.models import Authority, Comune, District
from coprog.territory.services import BOLOGNA_PRESET, load_preset

from ..conftest import PASSWORD, csrf_token_from
from ..dbutil import statements_run
from ..factories import make_admitted, make_notice, make_table_session, make_user

SCRIPT = '<img src=x onerror=alert(1)><script>alert("x")</script>'
CASALECCHIO, BOLOGNA = "037011", "037006"
MINE = "/contributi"


# Fixtures and helpers --------------------------------------------------------------------------


@pytest.fixture
def authority(session):
    load_preset(BOLOGNA_PRESET)
    return db.session.scalar(select(Authority).where(Authority.slug == "ausl-bologna"))


@pytest.fixture
def staff(session):
    return make_user(Role.STAFF, full_name="Rita Moderatrice", email="rup@esempio.it")


@pytest.fixture
def notice(authority, staff):
    return make_notice(authority, by=staff, published=True)


@pytest.fixture
def ets_user(session):
    return make_user(Role.ETS, full_name="Chiara Contributrice", email="chiara@esempio.it")


@pytest.fixture
def application(notice, ets_user):
    """An admitted ETS with a co-opted company: it contributes for either."""
    application = make_admitted(notice, ets_user, name="ODV Amici di Prova", email="odv@esempio.it")
    application.co_opted.append(CoOptedSubject(kind=CoOptedKind.COMPANY, name="Impresa Verde Srl", role="Tirocini"))
    db.session.flush()
    return application


@pytest.fixture
def other(notice):
    """Another admitted ETS."""
    return make_admitted(notice, name="APS Altra di Prova")


def comune(istat: str) -> Comune:
    return db.session.scalar(select(Comune).where(Comune.istat_code == istat))


def district(code: str) -> District:
    return db.session.scalar(select(District).where(District.code == code))


def valid_data(notice, *, actor=None, **overrides) -> dict:
    """Data for `check`/`submit_contribution`: a room in Casalecchio di Reno."""
    authority = notice.procedure.authority
    data = {
        "actor": actor, "collaborators": [], "axis_id": authority.axes[0].id,
        "resource_type_id": service.resource_types_of(authority)[0].id,
        "description": "Una sala per laboratori, il martedì pomeriggio", "offer_mode": OfferMode.MAKING_AVAILABLE.value,
        "district_id": district("reno-lavino-samoggia").id, "comune_id": comune(CASALECCHIO).id,
        "address": "Via Porrettana 1", "capacity": 12, "capacity_note": "persone",
        "available_from": date(2026, 1, 1), "available_until": date(2026, 12, 31),
    }
    data.update(overrides)
    return data


def contributions_count() -> int:
    return db.session.scalar(select(func.count(Contribution.id)))


def sign_in(client, user):
    user.set_password(PASSWORD)
    db.session.commit()
    token = csrf_token_from(client.get("/accedi").get_data(as_text=True))
    response = client.post("/accedi", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def token(client, url: str) -> str:
    return csrf_token_from(client.get(url).get_data(as_text=True))


def form_data(notice, application, **overrides) -> dict:
    """What the online form posts for a valid contribution of `application`'s organisation."""
    authority = notice.procedure.authority
    data = {
        "actor": f"org:{application.organisation_id}" if application else "", "new_collaborator_kind": "servizio_pubblico",
        "axis_id": str(authority.axes[0].id), "resource_type_id": str(service.resource_types_of(authority)[0].id),
        "description": "Una sala per laboratori", "offer_mode": "messa_a_disposizione",
        "district_id": str(district("reno-lavino-samoggia").id), "comune_id": str(comune(CASALECCHIO).id),
        "address": "Via Porrettana 1", "capacity": "12", "capacity_note": "persone",
        "available_from": "2026-01-01", "available_until": "2026-12-31",
    }
    data.update(overrides)
    return data


def error_beside(html: str, field: str) -> str:
    start = html.index(f'id="{field}-error"')
    return unescape(html[start:html.index("</div>", start)])


# Checks ----------------------------------------------------------------------------------------


def test_an_address_is_placed_at_its_comune_point_offline(notice, application, staff):
    actor = actor_for_organisation(application.organisation)
    contribution = service.submit_contribution(notice.procedure, valid_data(notice, actor=actor), by=staff)
    assert contribution.state == ContributionState.SUBMITTED and contribution.source == ContributionSource.ONLINE
    assert (contribution.longitude, contribution.latitude) == comune_point("ausl-bologna", CASALECCHIO)
    assert contribution.placement == Placement.COMUNE and contribution.address == "Via Porrettana 1"
    assert [e.action for e in history(contribution)] == ["submitted"]
    snapshot = db.session.scalar(select(NetworkSnapshot).where(NetworkSnapshot.procedure_id == notice.procedure_id))
    assert snapshot.stale


def test_every_bad_input_is_reported_at_once_and_nothing_is_saved(notice, application, staff):
    actor = actor_for_organisation(application.organisation)
    data = valid_data(notice, actor=actor, comune_id=999999, capacity=-3, available_from=date(2026, 6, 1),
                      available_until=date(2026, 5, 1), collaborators=[actor], longitude=12.4964, latitude=41.9028)
    with pytest.raises(ContributionError) as refused:
        service.submit_contribution(notice.procedure, data, by=staff)
    problems = refused.value.problems
    assert problems["comune_id"].startswith("Comune sconosciuto")
    assert problems["capacity"] == "La capacità non può essere negativa."
    assert problems["available_until"] == "Il periodo di disponibilità non può finire prima di iniziare."
    assert problems["collaborators"] == "Un soggetto non può collaborare con sé stesso."
    assert problems["longitude"] == "Il punto indicato è fuori dal territorio dell'azienda."
    assert contributions_count() == 0


def test_a_comune_of_another_district_is_refused(notice, application, staff):
    actor = actor_for_organisation(application.organisation)
    with pytest.raises(ContributionError) as refused:
        service.submit_contribution(notice.procedure, valid_data(notice, actor=actor, comune_id=comune(BOLOGNA).id), by=staff)
    assert refused.value.problems == {"comune_id": "Il comune indicato non è nel distretto scelto."}


def test_required_fields_and_lengths(notice, staff):
    data = {"description": " ", "address": "x" * 301, "capacity_note": "y" * 121}
    _values, problems = service.check(notice.procedure, data)
    assert set(problems) == {"actor", "axis_id", "resource_type_id", "description", "offer_mode", "district_id",
                             "address", "capacity_note"}


def test_an_address_needs_its_comune(notice, application, staff):
    actor = actor_for_organisation(application.organisation)
    _values, problems = service.check(notice.procedure, valid_data(notice, actor=actor, comune_id=None))
    assert problems == {"comune_id": "Indicare il comune dell'indirizzo."}


def test_a_precise_point_inside_the_territory(notice, application, staff):
    actor = actor_for_organisation(application.organisation)
    contribution = service.submit_contribution(
        notice.procedure, valid_data(notice, actor=actor, longitude=11.2262, latitude=44.4745), by=staff)
    assert (contribution.longitude, contribution.latitude, contribution.placement) == (11.2262, 44.4745, Placement.ADDRESS)
    _values, problems = service.check(notice.procedure, valid_data(notice, actor=actor, longitude=11.2))
    assert problems == {"longitude": "Indicare sia la longitudine sia la latitudine, oppure nessuna delle due."}
    _values, problems = service.check(notice.procedure, valid_data(notice, actor=actor, longitude=200.0, latitude=44.0))
    assert "longitude" in problems


def test_without_a_comune_the_point_is_the_district_s(notice, application, staff):
    actor = actor_for_organisation(application.organisation)
    contribution = service.submit_contribution(
        notice.procedure, valid_data(notice, actor=actor, comune_id=None, address=""), by=staff)
    assert contribution.placement == Placement.DISTRICT and contribution.comune is None


# The actors a form names -----------------------------------------------------------------------


def test_an_ets_contributes_for_itself_and_its_co_opted_only(notice, application, other, ets_user):
    keys = [c.key for c in service.actor_choices(ets_user, notice.procedure)]
    assert keys == [f"org:{application.organisation_id}", f"co:{application.co_opted[0].id}"]
    who, problems = service.resolve_actors(notice.procedure, ActorInput(actor_key=f"org:{other.organisation_id}"),
                                           allowed=keys, by=ets_user)
    assert who["actor"] is None and problems == {"actor": "Scegliere dall'elenco chi offre la risorsa."}


def test_staff_contribute_for_anyone_of_the_procedure(notice, application, other, staff):
    keys = {c.key for c in service.actor_choices(staff, notice.procedure)}
    assert {f"org:{application.organisation_id}", f"org:{other.organisation_id}"} <= keys


def test_collaborators_by_key_and_by_name(notice, application, other, ets_user):
    given = ActorInput(actor_key=f"org:{application.organisation_id}", collaborator_keys=[f"org:{other.organisation_id}"],
                       new_collaborators="Servizi sociali di Casalecchio\n  APS Altra di Prova \n", new_collaborator_kind="servizio_pubblico")
    who, problems = service.resolve_actors(notice.procedure, given, allowed=[given.actor_key], by=ets_user)
    assert problems == {}
    names = sorted(a.name for a in who["collaborators"])
    assert names == ["APS Altra di Prova", "Servizi sociali di Casalecchio"]  # the typed name is the ETS: one node
    assert next(a for a in who["collaborators"] if a.name.startswith("Servizi")).kind == ActorKind.PUBLIC_SERVICE


def test_a_collaboration_with_itself_by_key_or_by_name(notice, application, ets_user):
    key = f"org:{application.organisation_id}"
    for given in (ActorInput(actor_key=key, collaborator_keys=[key]),
                  ActorInput(actor_key=key, new_collaborators="odv amici di prova")):
        _who, problems = service.resolve_actors(notice.procedure, given, allowed=[key], by=ets_user)
        assert problems == {"collaborators": "Un soggetto non può collaborare con sé stesso."}


def test_strangers_and_bad_kinds_are_refused(notice, application, ets_user):
    key = f"org:{application.organisation_id}"
    given = ActorInput(actor_key=key, collaborator_keys=["org:999999"], new_collaborators="Un ente", new_collaborator_kind="ets")
    _who, problems = service.resolve_actors(notice.procedure, given, allowed=[key], by=ets_user)
    assert problems == {"collaborators": "Il soggetto indicato non partecipa a questo procedimento.",
                        "new_collaborator_kind": "Scegliere il tipo dei soggetti nominati."}


# Moderation ------------------------------------------------------------------------------------


@pytest.fixture
def submitted(notice, application, ets_user):
    actor = actor_for_organisation(application.organisation)
    return service.submit_contribution(notice.procedure, valid_data(notice, actor=actor), by=ets_user)


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_rejecting_needs_a_reason_and_tells_the_contributor(submitted, staff):
    with pytest.raises(ContributionError) as refused:
        service.moderate(submitted, ContributionState.REJECTED, "  ", by=staff)
    assert refused.value.problems == {"reason": "Indicare il motivo: il contributore lo leggerà."}
    assert submitted.state == ContributionState.SUBMITTED and outbox() == []
    service.moderate(submitted, ContributionState.REJECTED, "Manca l'orario di apertura", by=staff)
    assert submitted.state == ContributionState.REJECTED and submitted.decision_reason == "Manca l'orario di apertura"
    assert submitted.decided_by_id == staff.id and submitted.decided_at is not None
    messages = outbox()
    assert sorted(m.to_address for m in messages) == ["chiara@esempio.it", "odv@esempio.it"]
    assert all("Manca l'orario di apertura" in m.body_text and f"/contributi/{submitted.id}" in m.body_text
               for m in messages)
    assert messages[0].subject == f"Contributo n. {submitted.id}: Non pubblicato"
    entry = history(submitted)[-1]
    assert (entry.action, entry.from_state, entry.to_state, entry.reason, entry.actor_id) == (
        "state", "submitted", "rejected", "Manca l'orario di apertura", staff.id)


def test_approving_publishes_and_withdrawing_needs_a_reason(submitted, staff):
    service.moderate(submitted, ContributionState.APPROVED, None, by=staff)
    assert submitted.is_published and len(outbox()) == 2
    assert service.published(submitted.procedure) == [submitted]
    with pytest.raises(ContributionError):
        service.moderate(submitted, ContributionState.REJECTED, "", by=staff)
    service.moderate(submitted, ContributionState.REJECTED, "Il locale non è più disponibile", by=staff)
    withdrawn = outbox()[-1]
    assert "ritirato dalla pubblicazione" in withdrawn.subject and "Il locale non è più disponibile" in withdrawn.body_text
    assert [(e.from_state, e.to_state) for e in history(submitted) if e.action == "state"] == [
        ("submitted", "approved"), ("approved", "rejected")]


def test_a_rejected_contribution_cannot_be_approved_until_sent_again(submitted, staff, ets_user):
    service.moderate(submitted, ContributionState.REJECTED, "Da completare", by=staff)
    with pytest.raises(IllegalTransition):
        service.moderate(submitted, ContributionState.APPROVED, None, by=staff)
    data = valid_data(submitted.procedure.notice, actor=submitted.actor, description="Sala con orari: 15-18")
    service.update_contribution(submitted, data, by=ets_user)
    assert submitted.state == ContributionState.SUBMITTED and submitted.description == "Sala con orari: 15-18"
    actions = [(e.action, e.to_state) for e in history(submitted)]
    assert actions[-2:] == [("changed", None), ("state", "submitted")]
    changed = history(submitted)[-2].details
    assert changed["from"]["description"] != changed["to"]["description"]


def test_a_published_contribution_cannot_change(submitted, staff, ets_user):
    service.moderate(submitted, ContributionState.APPROVED, None, by=staff)
    with pytest.raises(ContributionError):
        service.update_contribution(submitted, valid_data(submitted.procedure.notice, actor=submitted.actor), by=ets_user)


def test_an_invited_body_and_a_co_opted_subject_are_told_too(notice, application, staff):
    co_opted = service.resolve_actors(notice.procedure, ActorInput(actor_key=f"co:{application.co_opted[0].id}"),
                                      allowed=[f"co:{application.co_opted[0].id}"], by=staff)[0]["actor"]
    contribution = service.submit_contribution(notice.procedure, valid_data(notice, actor=co_opted), by=staff)
    assert service.decision_addresses(contribution) == ["odv@esempio.it", "rup@esempio.it"]


# From a verbale's Part 2 -----------------------------------------------------------------------


@pytest.fixture
def facilitator(session):
    return make_user(Role.FACILITATOR, full_name="Fabio Facilitatore")


@pytest.fixture
def direction(notice, application, other, staff, facilitator):
    """A Part 2 direction of a session of the district Reno, Lavino e Samoggia, naming two ETS."""
    reno = district("reno-lavino-samoggia")
    table = make_table_session(notice, by=staff, facilitators=[facilitator], starts_in_hours=-2)
    table.groups[0].districts = [reno]
    minutes = minutes_service.get_or_create_minutes(table, by=facilitator)
    keys = [f"org:{application.organisation_id}", f"org:{other.organisation_id}"]
    return minutes_service.add_direction(minutes, DirectionInput(
        what="Una palestra aperta il sabato per attività di gruppo", who="Le associazioni sportive",
        how="Comodato d'uso degli spazi con un referente", actor_keys=keys), by=facilitator)


def test_suggested_offer_modes():
    assert suggest_offer_mode("Un fondo di garanzia alimentato da più soggetti") == OfferMode.FUNDING
    assert suggest_offer_mode("Co-progettazione distrettuale della funzione") == OfferMode.CO_PRODUCTION
    assert suggest_offer_mode("Comodati d'uso e accordi di locazione") == OfferMode.MAKING_AVAILABLE
    assert suggest_offer_mode("Un tavolo distrettuale dei referenti ogni mese") == OfferMode.NETWORKING
    assert suggest_offer_mode("Accompagnamento della persona") == OfferMode.SUPPORT


def test_a_direction_prefills_the_form(direction):
    defaults = service.direction_defaults(direction)
    session = direction.minutes.session
    assert defaults["description"] == direction.what and defaults["axis_id"] == session.axis_id
    assert defaults["offer_mode"] == OfferMode.MAKING_AVAILABLE.value
    assert defaults["district_id"] == district("reno-lavino-samoggia").id
    assert defaults["actors"] == [actor_key(a) for a in direction.actors]


def shared(direction) -> dict:
    defaults = service.direction_defaults(direction)
    data = valid_data(direction.minutes.session.procedure.notice, description=defaults["description"],
                      offer_mode=defaults["offer_mode"], axis_id=defaults["axis_id"])
    data.pop("actor"), data.pop("collaborators")
    return data


def test_one_contribution_per_actor_the_others_collaborate(direction, facilitator):
    keys = [actor_key(a) for a in direction.actors]
    made = service.contributions_from_direction(
        direction, TableActorsInput(actor_keys=keys, new_actors="Comune di Casalecchio di Reno"), shared(direction),
        by=facilitator)
    assert len(made) == 3
    session = direction.minutes.session
    for contribution in made:
        assert contribution.source == ContributionSource.TABLE
        assert (contribution.direction_id, contribution.session_id) == (direction.id, session.id)
        assert contribution.axis_id == session.axis_id and contribution.created_by_id == facilitator.id
        others = {a.id for a in [*direction.actors, *[m.actor for m in made]]} - {contribution.actor_id}
        assert {a.id for a in contribution.collaborators} == others
    named = next(c.actor for c in made if c.actor.kind == ActorKind.PUBLIC_SERVICE)
    assert named.name == "Comune di Casalecchio di Reno"
    assert service.direction_contributions([direction.id]) == {direction.id: made}


def test_a_conversion_refused_saves_nothing(direction, facilitator):
    data = {**shared(direction), "capacity": -1}
    with pytest.raises(ContributionError) as refused:
        service.contributions_from_direction(direction, TableActorsInput(actor_keys=[]), data, by=facilitator)
    assert refused.value.problems == {"capacity": "La capacità non può essere negativa.",
                                      "actor": "Scegliere almeno un soggetto che offre la risorsa, o nominarlo."}
    db.session.rollback()
    assert contributions_count() == 0


def test_only_the_direction_s_actors_offer(direction, facilitator, notice):
    stranger = name_actor(notice.procedure, ActorKind.OTHER, "Qualcun altro", by=facilitator)
    with pytest.raises(ContributionError) as refused:
        service.contributions_from_direction(direction, TableActorsInput(actor_keys=[actor_key(stranger)]),
                                             shared(direction), by=facilitator)
    assert refused.value.problems == {"actor": "Scegliere i soggetti tra quelli della direzione."}


# Pages: the contributor ------------------------------------------------------------------------


def test_the_form_offers_only_one_s_own_actors(client, notice, application, other, ets_user):
    sign_in(client, ets_user)
    html = client.get(f"{MINE}/{notice.procedure.slug}/nuovo").get_data(as_text=True)
    actor_select = html[html.index('id="actor"'):html.index("</select>", html.index('id="actor"'))]
    assert "ODV Amici di Prova" in actor_select and "Impresa Verde Srl" in actor_select
    assert "APS Altra di Prova" not in actor_select
    assert "APS Altra di Prova" in html  # among the collaborators
    assert 'optgroup label="Reno, Lavino e Samoggia"' in html  # every comune, by district, without JavaScript


def test_bad_input_gives_422_messages_beside_the_fields_nothing_saved_input_kept(client, notice, application, ets_user):
    sign_in(client, ets_user)
    url = f"{MINE}/{notice.procedure.slug}/nuovo"
    data = form_data(notice, application, csrf_token=token(client, url), comune_id=str(comune(BOLOGNA).id),
                     capacity="-4", available_from="2026-06-01", available_until="2026-05-01",
                     collaborators=f"org:{application.organisation_id}", longitude="12,4964", latitude="41,9028",
                     description=SCRIPT, address="Via <b>Grassa</b> 3", new_collaborators="Servizi sociali di Zola")
    before = db.session.scalar(select(func.count(Actor.id)))
    response = client.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Il comune indicato non è nel distretto scelto." in error_beside(html, "comune_id")
    assert "La capacità non può essere negativa." in error_beside(html, "capacity")
    assert "non può finire prima di iniziare" in error_beside(html, "available_until")
    assert "collaborare con sé stesso" in error_beside(html, "collaborators")
    assert "fuori dal territorio" in error_beside(html, "longitude")
    assert 'id="form-errors"' in html
    assert contributions_count() == 0 and db.session.scalar(select(func.count(Actor.id))) == before
    assert SCRIPT not in html and "&lt;img src=x onerror=alert(1)&gt;" in html  # kept, as text
    assert 'value="Via &lt;b&gt;Grassa&lt;/b&gt; 3"' in html and 'value="-4"' in html and "12,4964" in html
    assert "Servizi sociali di Zola" in html


def test_formats_are_checked_beside_their_fields(client, notice, application, ets_user):
    sign_in(client, ets_user)
    url = f"{MINE}/{notice.procedure.slug}/nuovo"
    data = form_data(notice, application, csrf_token=token(client, url), capacity="dodici",
                     available_from="1 gennaio", latitude="nord", longitude="11,2", comune_id="abc",
                     description="")
    html = client.post(url, data=data).get_data(as_text=True)
    assert "Indicare un numero intero" in error_beside(html, "capacity")
    assert "Data non valida" in error_beside(html, "available_from")
    assert "gradi decimali" in error_beside(html, "latitude")
    assert "Scegliere dall'elenco." in error_beside(html, "comune_id")
    assert "Descrivere la risorsa." in error_beside(html, "description")
    assert contributions_count() == 0


def test_an_unknown_comune_is_refused_beside_its_field(client, notice, application, ets_user):
    sign_in(client, ets_user)
    url = f"{MINE}/{notice.procedure.slug}/nuovo"
    response = client.post(url, data=form_data(notice, application, csrf_token=token(client, url), comune_id="999999"))
    assert response.status_code == 422
    assert "Comune sconosciuto" in error_beside(response.get_data(as_text=True), "comune_id")
    assert contributions_count() == 0


def test_a_contribution_sent_is_listed_with_its_state(client, notice, application, ets_user, staff):
    sign_in(client, ets_user)
    url = f"{MINE}/{notice.procedure.slug}/nuovo"
    response = client.post(url, data=form_data(notice, application, csrf_token=token(client, url), description=SCRIPT,
                                               collaborators=f"co:{application.co_opted[0].id}"))
    assert response.status_code == 302
    contribution = db.session.scalar(select(Contribution))
    assert response.headers["Location"].endswith(f"/contributi/{contribution.id}")
    assert contribution.created_by_id == ets_user.id and [a.name for a in contribution.collaborators] == ["Impresa Verde Srl"]
    mine = client.get(MINE).get_data(as_text=True)
    assert "In attesa di moderazione" in mine and SCRIPT not in mine and "&lt;script&gt;" in mine
    service.moderate(contribution, ContributionState.REJECTED, "Orari <mancanti>", by=staff)
    db.session.commit()
    mine = client.get(MINE).get_data(as_text=True)
    assert "Non pubblicato" in mine and "Orari &lt;mancanti&gt;" in mine


def test_a_rejected_contribution_is_corrected_and_sent_again(client, notice, application, ets_user, staff):
    contribution = service.submit_contribution(
        notice.procedure, valid_data(notice, actor=actor_for_organisation(application.organisation)), by=ets_user)
    service.moderate(contribution, ContributionState.REJECTED, "Indicare gli orari", by=staff)
    sign_in(client, ets_user)
    url = f"/contributi/{contribution.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Indicare gli orari" in page and "Salva e invia di nuovo" in page
    assert 'value="Via Porrettana 1"' in page
    response = client.post(url, data=form_data(notice, application, csrf_token=csrf_token_from(page),
                                               description="Sala, martedì 15-18"))
    assert response.status_code == 302
    db.session.refresh(contribution)
    assert contribution.state == ContributionState.SUBMITTED and contribution.description == "Sala, martedì 15-18"


def test_a_published_contribution_is_read_only(client, notice, application, ets_user, staff):
    contribution = service.submit_contribution(
        notice.procedure, valid_data(notice, actor=actor_for_organisation(application.organisation), description=SCRIPT),
        by=ets_user)
    service.moderate(contribution, ContributionState.APPROVED, None, by=staff)
    sign_in(client, ets_user)
    url = f"/contributi/{contribution.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Pubblicato" in page and "<form method=\"post\" action=\"/contributi" not in page
    assert SCRIPT not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    response = client.post(url, data=form_data(notice, application, csrf_token=csrf_token_from(page)))
    assert response.status_code == 302
    db.session.refresh(contribution)
    assert contribution.description == SCRIPT


def test_htmx_narrows_the_comuni_to_the_district(client, notice, application, ets_user):
    sign_in(client, ets_user)
    reno = district("reno-lavino-samoggia")
    response = client.get(f"{MINE}/{notice.procedure.slug}/nuovo?district_id={reno.id}&comune_id=",
                          headers={"HX-Request": "true", "HX-Target": "comune-field"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.strip().startswith('<div id="comune-field">')
    assert "Casalecchio di Reno" in html and "Zola Predosa" in html and ">Bologna<" not in html
    assert "<html" not in html and "optgroup" not in html


def test_the_empty_state_says_who_may_contribute(client, ets_user):
    sign_in(client, ets_user)
    html = client.get(MINE).get_data(as_text=True)
    assert "Chi può inviare contributi" in html and "non risulta ancora ammesso" in html


def test_an_invited_body_contributes_for_itself_and_is_told(client, notice, staff):
    from coprog.subprocedures import services as subprocedures

    user = make_user(Role.INVITED_BODY, email="fondazione@esempio.it")
    sub = subprocedures.create_subprocedure(notice.procedure, {"title": "Sub", "purpose": "", "legal_basis": ""}, by=staff)
    sub.open(by=staff)
    invitation = subprocedures.invite_body(sub, {"body_kind": "fondazione", "body_name": "Fondazione Gamma",
                                                 "tax_code": None, "email": "inviti@gamma.it"}, by=staff)
    invitation.accept(user)
    assert [c.key for c in service.actor_choices(user, notice.procedure)] == [f"inv:{invitation.id}"]
    sign_in(client, user)
    url = f"{MINE}/{notice.procedure.slug}/nuovo"
    page = client.get(url).get_data(as_text=True)
    actors = page[page.index('id="actor"'):page.index("</select>", page.index('id="actor"'))]
    assert actors.count("<option") == 1 and f'value="inv:{invitation.id}">Fondazione Gamma</option>' in actors
    data = form_data(notice, None, csrf_token=csrf_token_from(page), actor=f"inv:{invitation.id}")
    assert client.post(url, data=data).status_code == 302
    contribution = db.session.scalar(select(Contribution))
    assert contribution.actor.kind == ActorKind.INVITED_BODY
    assert service.decision_addresses(contribution) == ["fondazione@esempio.it", "inviti@gamma.it"]
    assert "Fondazione Gamma" in client.get(MINE).get_data(as_text=True)


# Permissions -----------------------------------------------------------------------------------


def test_an_ets_not_admitted_gets_403(client, notice, session):
    user = make_user(Role.ETS)
    sign_in(client, user)
    assert client.get(f"{MINE}/{notice.procedure.slug}/nuovo").status_code == 403


def test_another_ets_s_contribution_is_404_whatever_the_id(client, notice, application, other, ets_user):
    theirs = service.submit_contribution(
        notice.procedure, valid_data(notice, actor=actor_for_organisation(other.organisation)), by=make_user(Role.ETS))
    db.session.commit()
    sign_in(client, ets_user)
    assert client.get(f"/contributi/{theirs.id}").status_code == 404
    assert client.get(f"/contributi/{theirs.id + 1000}").status_code == 404
    assert client.post(f"/contributi/{theirs.id}", data={}).status_code in (400, 404)
    assert "APS Altra" not in client.get(MINE).get_data(as_text=True)


def test_the_members_of_the_organisation_see_its_contribution(client, notice, application, staff):
    contribution = service.submit_contribution(
        notice.procedure, valid_data(notice, actor=actor_for_organisation(application.organisation)), by=staff)
    colleague = make_user(Role.ETS)
    from coprog.organisations.models import MemberRole, Membership

    application.organisation.members.append(Membership(user_id=colleague.id, role=MemberRole.DELEGATE))
    sign_in(client, colleague)
    assert client.get(f"/contributi/{contribution.id}").status_code == 200


def test_anonymous_users_are_sent_to_the_login_page(client, notice, application, staff, direction):
    contribution = service.submit_contribution(
        notice.procedure, valid_data(notice, actor=actor_for_organisation(application.organisation)), by=staff)
    db.session.commit()
    session_id = direction.minutes.session_id
    for url in (MINE, f"{MINE}/{notice.procedure.slug}/nuovo", f"/contributi/{contribution.id}",
                f"/gestione/procedimenti/{notice.procedure_id}/contributi", f"/gestione/contributi/{contribution.id}",
                f"/tavoli/incontri/{session_id}/verbale/direzioni/{direction.id}/contributi"):
        response = client.get(url)
        assert response.status_code == 302 and "/accedi" in response.headers["Location"], url


def test_moderation_is_for_staff_only(client, notice, submitted, ets_user):
    sign_in(client, ets_user)
    assert client.get(f"/gestione/procedimenti/{notice.procedure_id}/contributi").status_code == 403
    assert client.get(f"/gestione/contributi/{submitted.id}").status_code == 403


def test_a_facilitator_of_another_session_gets_403_on_the_conversion(client, direction):
    stranger = make_user(Role.FACILITATOR)
    sign_in(client, stranger)
    session_id = direction.minutes.session_id
    assert client.get(f"/tavoli/incontri/{session_id}/verbale/direzioni/{direction.id}/contributi").status_code == 403


# Pages: moderation -----------------------------------------------------------------------------


def test_the_queue_filters_counts_and_pages(client, notice, application, staff):
    actor = actor_for_organisation(application.organisation)
    axes = notice.procedure.authority.axes
    for n in range(27):
        service.submit_contribution(notice.procedure, valid_data(notice, actor=actor, description=f"Risorsa {n}",
                                                                 axis_id=axes[n % 2].id), by=staff)
    first = db.session.scalar(select(Contribution).order_by(Contribution.id))
    service.moderate(first, ContributionState.APPROVED, None, by=staff)
    sign_in(client, staff)
    url = f"/gestione/procedimenti/{notice.procedure_id}/contributi"
    html = client.get(url).get_data(as_text=True)
    assert "27 contributi con questi filtri" in html and "pagina 1 di 2" in html
    assert "In attesa di moderazione</a>: <strong>26</strong>" in html and "Pubblicato</a>: <strong>1</strong>" in html
    assert f'aria-current=page href="{url}">Contributi</a>' in html  # the tab in the notice's header
    html = client.get(url + "?stato=approved").get_data(as_text=True)
    assert "1 contributo con questi filtri" in html
    html = client.get(f"{url}?asse={axes[1].id}&pagina=1", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert html.strip().startswith('<div id="contributions-list">') and "13 contributi con questi filtri" in html


def test_the_lists_cost_the_same_queries_for_2_or_20_contributions(client, notice, application, other, staff):
    """No query per row: the queue and the contributor's page load their parts in bulk."""
    actor = actor_for_organisation(application.organisation)
    partner = actor_for_organisation(other.organisation)
    sign_in(client, staff)
    counts = []
    for wanted in (2, 20):
        while db.session.scalar(select(func.count(Contribution.id))) < wanted:
            service.submit_contribution(notice.procedure, valid_data(notice, actor=actor, collaborators=[partner]), by=staff)
        db.session.commit()
        with statements_run() as statements:
            assert client.get(f"/gestione/procedimenti/{notice.procedure_id}/contributi").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_rejecting_without_a_reason_is_refused_beside_the_field(client, submitted, staff):
    sign_in(client, staff)
    url = f"/gestione/contributi/{submitted.id}"
    response = client.post(url, data={"csrf_token": token(client, url), "decision": "rifiuta", "reason": ""})
    assert response.status_code == 422
    assert "Indicare il motivo" in error_beside(response.get_data(as_text=True), "reason")
    db.session.refresh(submitted)
    assert submitted.state == ContributionState.SUBMITTED
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_staff_approve_then_withdraw_with_history(client, submitted, staff):
    sign_in(client, staff)
    url = f"/gestione/contributi/{submitted.id}"
    response = client.post(url, data={"csrf_token": token(client, url), "decision": "approva", "reason": ""})
    assert response.status_code == 302
    db.session.refresh(submitted)
    assert submitted.state == ContributionState.APPROVED
    page = client.get(url).get_data(as_text=True)
    assert "Ritira dalla pubblicazione" in page and "In attesa di moderazione → Pubblicato" in page
    response = client.post(url, data={"csrf_token": csrf_token_from(page), "reason": "<b>Chiuso</b>"})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Pubblicato → Non pubblicato" in page and "&lt;b&gt;Chiuso&lt;/b&gt;" in page
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 4


def test_user_text_is_text_on_the_staff_pages(client, notice, application, staff):
    actor = actor_for_organisation(application.organisation)
    contribution = service.submit_contribution(
        notice.procedure, valid_data(notice, actor=actor, description=SCRIPT, address=SCRIPT[:60], capacity_note="<i>posti</i>"),
        by=staff)
    db.session.commit()
    sign_in(client, staff)
    for url in (f"/gestione/procedimenti/{notice.procedure_id}/contributi", f"/gestione/contributi/{contribution.id}"):
        html = client.get(url).get_data(as_text=True)
        assert "<img src=x" not in html and "<script>alert" not in html and "<i>posti" not in html, url
        assert "&lt;img src=x onerror=alert(1)&gt;" in html, url


# Pages: from the tables ------------------------------------------------------------------------


def test_the_conversion_page_is_prefilled_and_creates_the_contributions(client, direction, facilitator):
    session = direction.minutes.session
    db.session.commit()
    sign_in(client, facilitator)
    editor = client.get(f"/tavoli/incontri/{session.id}/verbale").get_data(as_text=True)
    url = f"/tavoli/incontri/{session.id}/verbale/direzioni/{direction.id}/contributi"
    assert f'href="{url}"' in editor and "Trasforma in contributi" in editor
    page = client.get(url).get_data(as_text=True)
    assert "Una palestra aperta il sabato per attività di gruppo</textarea>" in page
    assert re.search(r'<input checked[^>]*value="messa_a_disposizione"', page)
    reno = district("reno-lavino-samoggia")
    assert re.search(rf'<option selected value="{reno.id}">Reno, Lavino e Samoggia', page)
    assert re.search(rf'<option selected value="{session.axis_id}">', page)
    authority = session.procedure.authority
    data = {"csrf_token": csrf_token_from(page), "actors": [actor_key(a) for a in direction.actors],
            "new_actor_kind": "servizio_pubblico", "axis_id": str(session.axis_id),
            "resource_type_id": str(service.resource_types_of(authority)[0].id), "description": direction.what,
            "offer_mode": "messa_a_disposizione", "district_id": str(reno.id), "comune_id": str(comune(CASALECCHIO).id),
            "address": "", "capacity": "-2"}
    response = client.post(url, data=data)
    assert response.status_code == 422 and "negativa" in error_beside(response.get_data(as_text=True), "capacity")
    assert contributions_count() == 0
    response = client.post(url, data={**data, "capacity": "20"})
    assert response.status_code == 302
    assert contributions_count() == 2
    page = client.get(url).get_data(as_text=True)
    assert "Questa direzione è già diventata 2 contributi" in page
    editor = client.get(f"/tavoli/incontri/{session.id}/verbale").get_data(as_text=True)
    assert "Già in 2 contributi" in editor
    made = db.session.scalars(select(Contribution)).all()
    assert all(c.source == ContributionSource.TABLE and c.direction_id == direction.id for c in made)
    assert client.get(f"/contributi/{made[0].id}").status_code == 200  # the facilitator made it


def test_a_direction_of_another_session_is_404(client, direction, facilitator, notice, staff):
    elsewhere = make_table_session(notice, by=staff, facilitators=[facilitator])
    db.session.commit()
    sign_in(client, facilitator)
    assert client.get(f"/tavoli/incontri/{elsewhere.id}/verbale/direzioni/{direction.id}/contributi").status_code == 404

