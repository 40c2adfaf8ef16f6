"""The minutes (verbale) of a session: lifecycle, audit, the editor's forms (bad input, htmx),
permissions, the generated document and PDF, and the public version (counts, no names)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coprog.actors.models import Actor, ActorKind
from coprog.actors.services import candidates, public_name
from coprog.applications.models import CoOptedKind, CoOptedSubject
from coprog.core.audit import history
from coprog.core.roles import Role
from coprog.core.time import utcnow
from coprog.extensions import db
from coprog.notices.models import IllegalTransition
from coprog.tables.minutes_document import build_document
from coprog.tables.minutes_pdf import minutes_pdf
from coprog.tables.models import Direction, Finding, FindingKind, Minutes, MinutesState
from coprog.tables.services import minutes as service
from coprog.tables.services.checkin import check_in
from coprog.tables.services.minutes import DirectionInput, MinutesError, MinutesForbidden

from ..conftest import PASSWORD, csrf_token_from
from ..factories import make_admitted, make_notice, make_registration, make_table_session, make_user

SCRIPT = '<script>alert("x")</script><b>grassetto</b>'
REGISTRANT = "Ernesta Registratissima"
CITIZEN = "Giulia Cooptatissima"
ETS_NAME = "ODV Tavolo Esempio"


# Fixtures --------------------------------------------------------------------------------------


@pytest.fixture
def staff(session):
    return make_user(Role.STAFF, full_name="Rita Personale")


@pytest.fixture
def facilitator(session):
    return make_user(Role.FACILITATOR, full_name="Fabio Facilitatorissimo")


@pytest.fixture
def notice(session, staff):
    return make_notice(by=staff, published=True)


@pytest.fixture
def application(session, notice):
    """An admitted ETS with a co-opted citizen: both are candidates of the procedure."""
    application = make_admitted(notice, name=ETS_NAME)
    application.co_opted.append(CoOptedSubject(kind=CoOptedKind.CITIZEN, name=CITIZEN, role="Volontaria"))
    db.session.flush()
    return application


@pytest.fixture
def table(session, notice, staff, facilitator, application):
    """A session that started two hours ago, facilitated by `facilitator`, two people present."""
    table = make_table_session(notice, by=staff, facilitators=[facilitator], starts_in_hours=-2)
    before = utcnow() - timedelta(days=1)
    for category, name in (("ausl", REGISTRANT), ("ets", "Secondo Presente")):
        check_in(make_registration(table, category=category, full_name=name, by=staff, now=before), by=facilitator)
    make_registration(table, category="servizi_sociali", full_name="Assente Iscritta", by=staff, now=before)
    db.session.flush()
    return table


def sign_in(client, user):
    user.set_password(PASSWORD)
    db.session.commit()
    token = csrf_token_from(client.get("/accedi").get_data(as_text=True))
    response = client.post("/accedi", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def editor_url(table) -> str:
    return f"/tavoli/incontri/{table.id}/verbale"


def public_url(table) -> str:
    return f"/avvisi/{table.procedure.slug}/tavoli/{table.id}/verbale"


def token(client, table) -> str:
    return csrf_token_from(client.get(editor_url(table)).get_data(as_text=True))


def written(table, by) -> Minutes:
    """Minutes with one item of each kind and one direction naming the admitted ETS."""
    minutes = service.get_or_create_minutes(table, by=by)
    for kind in FindingKind:
        service.add_finding(minutes, kind, f"Voce di prova: {kind.value}", by=by)
    org = next(c.key for c in candidates(table.procedure) if c.key.startswith("org:"))
    service.add_direction(minutes, DirectionInput(what="Tirocini condivisi", who="Le imprese", how="Un tavolo mensile",
                                                  actor_keys=[org]), by=by)
    return minutes


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# Lifecycle -------------------------------------------------------------------------------------


def test_lifecycle_draft_approved_published_and_illegal_moves(app_ctx, table, facilitator, staff):
    minutes = written(table, facilitator)
    with pytest.raises(IllegalTransition):
        service.publish(minutes, by=staff)  # a draft is not published
    with pytest.raises(IllegalTransition):
        service.reopen(minutes, "motivo", by=staff)  # only approved minutes are reopened
    service.approve(minutes, by=facilitator)
    assert minutes.state == MinutesState.APPROVED and minutes.approved_at and minutes.approved_by_id == facilitator.id
    with pytest.raises(IllegalTransition):
        service.approve(minutes, by=facilitator)
    with pytest.raises(MinutesError, match="riaperto"):
        service.add_finding(minutes, FindingKind.NEED, "Altro", by=facilitator)  # read-only
    service.publish(minutes, by=staff)
    assert minutes.is_published and minutes.published_by_id == staff.id
    for move in (lambda: minutes.move(MinutesState.DRAFT, by=staff), lambda: service.reopen(minutes, "x", by=staff),
                 lambda: service.approve(minutes, by=staff)):
        with pytest.raises(IllegalTransition):
            move()
    with pytest.raises(MinutesError):
        service.save_notes(minutes, "tardi", by=staff)


def test_approve_is_refused_when_empty_or_before_the_start(app_ctx, notice, staff, facilitator, table):
    minutes = service.get_or_create_minutes(table, by=facilitator)
    with pytest.raises(MinutesError, match="vuoto") as refused:
        service.approve(minutes, by=facilitator)
    assert refused.value.field == "confirm" and minutes.state == MinutesState.DRAFT
    service.save_notes(minutes, "Solo note: il verbale resta vuoto.", by=facilitator)
    with pytest.raises(MinutesError, match="vuoto"):
        service.approve(minutes, by=facilitator)
    future = make_table_session(notice, by=staff, facilitators=[facilitator], starts_in_hours=5)
    early = service.get_or_create_minutes(future, by=facilitator)
    service.add_finding(early, FindingKind.NEED, "Preparato prima", by=facilitator)
    with pytest.raises(MinutesError, match="non è ancora iniziato"):
        service.approve(early, by=facilitator)
    service.approve(early, by=facilitator, now=utcnow() + timedelta(hours=6))
    assert early.state == MinutesState.APPROVED


def test_only_staff_publish_and_only_the_sessions_facilitators_approve(app_ctx, table, facilitator, staff):
    minutes = written(table, facilitator)
    other = make_user(Role.FACILITATOR)
    with pytest.raises(MinutesForbidden):
        service.approve(minutes, by=other)
    service.approve(minutes, by=facilitator)
    with pytest.raises(MinutesForbidden):
        service.publish(minutes, by=facilitator)
    with pytest.raises(MinutesForbidden):
        service.reopen(minutes, "Da correggere", by=other)
    service.publish(minutes, by=staff)
    assert minutes.is_published


def test_reopen_needs_a_reason_and_clears_the_approval(app_ctx, table, facilitator, staff):
    minutes = written(table, facilitator)
    service.approve(minutes, by=facilitator)
    with pytest.raises(MinutesError) as refused:
        service.reopen(minutes, "   ", by=facilitator)
    assert refused.value.field == "reason" and minutes.state == MinutesState.APPROVED
    service.reopen(minutes, "Manca una criticità emersa alla fine", by=facilitator)
    assert minutes.state == MinutesState.DRAFT and minutes.approved_at is None
    last = history(minutes)[-1]
    assert (last.action, last.from_state, last.to_state, last.reason) == (
        "state", "approved", "draft", "Manca una criticità emersa alla fine")


def test_every_change_writes_an_audit_row(app_ctx, table, facilitator, staff):
    minutes = written(table, facilitator)
    finding = minutes.findings[0]
    second = service.add_finding(minutes, FindingKind.NEED, "Seconda", by=facilitator)
    service.edit_finding(finding, "Riscritta", by=facilitator)
    assert service.move_finding(second, -1, by=facilitator)
    assert not service.move_finding(second, -1, by=facilitator)  # already first: nothing to do
    service.delete_finding(second, by=facilitator)
    direction = minutes.directions[0]
    service.edit_direction(direction, DirectionInput(what="Tirocini", how="Mensile"), by=facilitator)
    service.add_direction(minutes, DirectionInput(what="Seconda direzione"), by=facilitator)
    service.move_direction(direction, 1, by=facilitator)
    service.delete_direction(direction, by=facilitator)
    service.save_notes(minutes, "Note", by=facilitator)
    service.approve(minutes, by=facilitator)
    service.publish(minutes, by=staff)
    actions = [entry.action for entry in history(minutes)]
    assert actions == [
        "created", "finding_added", "finding_added", "finding_added", "direction_added", "finding_added",
        "finding_changed", "finding_moved", "finding_deleted", "direction_changed", "direction_added",
        "direction_moved", "direction_deleted", "notes_changed", "state", "state",
    ]
    assert all(entry.actor_id in (facilitator.id, staff.id) for entry in history(minutes))
    assert history(minutes)[6].details["from"] == "Voce di prova: bisogno"


def test_findings_move_within_their_kind(app_ctx, table, facilitator):
    minutes = service.get_or_create_minutes(table, by=facilitator)
    a = service.add_finding(minutes, FindingKind.NEED, "A", by=facilitator)
    service.add_finding(minutes, FindingKind.CRITICAL_POINT, "Criticità in mezzo", by=facilitator)
    b = service.add_finding(minutes, FindingKind.NEED, "B", by=facilitator)
    assert service.move_finding(b, -1, by=facilitator)
    db.session.expire(minutes, ["findings"])
    assert [f.text for f in service.findings_by_kind(minutes)[FindingKind.NEED]] == ["B", "A"]
    assert not service.move_finding(a, 1, by=facilitator)


def test_direction_actors_from_the_candidates_or_named_by_text(app_ctx, table, facilitator, application):
    minutes = service.get_or_create_minutes(table, by=facilitator)
    citizen = application.co_opted[0]
    data = DirectionInput(what="Spazi condivisi", actor_keys=[f"org:{application.organisation_id}", f"co:{citizen.id}"],
                          new_actors=f"Servizi sociali del Comune Alfa\n{ETS_NAME.upper()}\n\n",
                          new_actor_kind=ActorKind.PUBLIC_SERVICE.value)
    direction = service.add_direction(minutes, data, by=facilitator)
    kinds = sorted(actor.kind.value for actor in direction.actors)
    assert kinds == ["cooptato", "ets", "servizio_pubblico"]  # the typed ETS name is the ETS itself
    assert {public_name(a) for a in direction.actors} == {
        ETS_NAME, "Cittadino (nome non pubblicato)", "Servizi sociali del Comune Alfa"}
    again = service.add_direction(minutes, DirectionInput(what="Altro", new_actors="servizi sociali del comune alfa"),
                                  by=facilitator)
    assert again.actors[0].id == next(a.id for a in direction.actors if a.kind == ActorKind.PUBLIC_SERVICE)


def test_an_actor_of_another_procedure_is_refused_and_nothing_is_saved(app_ctx, table, facilitator, staff):
    other = make_admitted(make_notice(by=staff, published=True))
    minutes = service.get_or_create_minutes(table, by=facilitator)
    actors_before = count(Actor)
    with pytest.raises(MinutesError) as refused:
        service.add_direction(minutes, DirectionInput(what="X", actor_keys=[f"org:{other.organisation_id}"],
                                                      new_actors="Servizio nuovo"), by=facilitator)
    assert refused.value.field == "actors"
    db.session.rollback()
    assert count(Direction) == 0 and count(Actor) == actors_before


# The editor: pages, htmx, bad input --------------------------------------------------------------


def test_the_editor_shows_the_session_and_attendance_by_category(client, table, facilitator):
    sign_in(client, facilitator)
    html = client.get(editor_url(table)).get_data(as_text=True)
    assert "Verbale dell'incontro" in html
    for text in ("Sala di prova", "Fabio Facilitatorissimo", "Bisogni", "Criticità", "Aspirazioni",
                 "Chi può contribuire", "Cosa può essere messo in campo", "Come collaborare", ETS_NAME):
        assert text in html, text
    attendance = html[html.index("coprog-minutes-attendance"):html.index("</table>", html.index("coprog-minutes-attendance"))]
    assert re.search(r"AUSL</th>\s*<td class=\"text-end\">1</td>", attendance)
    assert "Iscritti all'incontro: 3; presenti: 2." in html
    assert count(Minutes) == 0  # reading never creates the minutes


def test_adding_with_and_without_htmx(client, table, facilitator):
    sign_in(client, facilitator)
    csrf = token(client, table)
    url = editor_url(table) + "/parte-1/bisogno"
    plain = client.post(url, data={"nuova-bisogno-csrf_token": csrf, "nuova-bisogno-text": "Trasporti carenti"})
    assert plain.status_code == 302 and plain.headers["Location"].endswith(editor_url(table) + "#voci-bisogno")
    fragment = client.post(url, data={"nuova-bisogno-text": "Orari rigidi"},
                           headers={"HX-Request": "true", "X-CSRFToken": csrf})
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html
    assert "Trasporti carenti" in html and "Orari rigidi" in html and "Voce aggiunta." in html
    assert [f.text for f in db.session.scalars(select(Finding).order_by(Finding.position))] == [
        "Trasporti carenti", "Orari rigidi"]


def _post(client, table, path, data, csrf, *, htmx=False):
    headers = {"HX-Request": "true", "X-CSRFToken": csrf} if htmx else {}
    return client.post(editor_url(table) + path, data=data if htmx else {"csrf_token": csrf, **data}, headers=headers)


def _beside(html: str, field_id: str, message: str) -> bool:
    """The message is in the error block of the field, which the field points to."""
    block = re.search(rf'id="{re.escape(field_id)}-error">(.*?)</div>', html, re.S)
    described = re.search(rf'id="{re.escape(field_id)}"[^>]*aria-describedby="[^"]*{re.escape(field_id)}-error', html) or \
        re.search(rf'aria-describedby="[^"]*{re.escape(field_id)}-error[^>]*id="{re.escape(field_id)}"', html)
    return bool(block and described) and message in block.group(1)


@pytest.mark.parametrize("htmx", [False, True])
def test_bad_input_on_every_form_is_refused_beside_the_field(client, table, facilitator, staff, htmx):
    sign_in(client, facilitator)
    csrf = token(client, table)
    other = make_admitted(make_notice(by=staff, published=True))
    db.session.commit()
    too_long = "x" * (service.FINDING_MAX + 1)
    cases = [
        ("/parte-1/criticita", {"nuova-criticita-text": "   "}, "nuova-criticita-text", "Campo obbligatorio.", None),
        ("/parte-1/aspirazione", {"nuova-aspirazione-text": too_long}, "nuova-aspirazione-text",
         f"Massimo {service.FINDING_MAX} caratteri.", too_long),
        ("/parte-2", {"nuova-direzione-what": "", "nuova-direzione-who": "Le parrocchie del territorio"},
         "nuova-direzione-what", "Campo obbligatorio.", "Le parrocchie del territorio"),
        ("/parte-2", {"nuova-direzione-what": "Orti condivisi", "nuova-direzione-how": "y" * (service.HOW_MAX + 1)},
         "nuova-direzione-how", f"Massimo {service.HOW_MAX} caratteri.", "Orti condivisi"),
        ("/parte-2", {"nuova-direzione-what": "Orti condivisi", "nuova-direzione-actors": f"org:{other.organisation_id}"},
         "nuova-direzione-actors", "non partecipa a questo procedimento", "Orti condivisi"),
        ("/parte-2", {"nuova-direzione-what": "Orti", "nuova-direzione-new_actors": "z" * 301},
         "nuova-direzione-new_actors", "massimo 300 caratteri", "Orti"),
        ("/note", {"note-notes": "n" * (service.NOTES_MAX + 1)}, "note-notes", f"Massimo {service.NOTES_MAX} caratteri.", None),
    ]
    for path, data, field_id, message, kept in cases:
        response = _post(client, table, path, data, csrf, htmx=htmx)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, (path, data)
        assert _beside(html, field_id, message), (path, field_id, html[:3000])
        if kept:
            assert kept in html, (path, kept)
        assert ("<html" in html) != htmx
    db.session.rollback()
    assert count(Finding) == 0 and count(Direction) == 0
    assert count(Actor) == 0  # not even the ETS of this procedure was turned into an actor
    assert (db.session.scalar(select(Minutes.notes)) or "") == ""


def test_bad_input_when_editing_items(client, table, facilitator, staff):
    minutes = written(table, facilitator)
    finding, direction = minutes.findings[0], minutes.directions[0]
    other = make_admitted(make_notice(by=staff, published=True))
    db.session.commit()
    sign_in(client, facilitator)
    csrf = token(client, table)
    response = _post(client, table, f"/voci/{finding.id}", {f"voce-{finding.id}-text": ""}, csrf)
    assert response.status_code == 422 and _beside(response.get_data(as_text=True), f"voce-{finding.id}-text",
                                                   "Campo obbligatorio.")
    prefix = f"direzione-{direction.id}"
    response = _post(client, table, f"/direzioni/{direction.id}",
                     {f"{prefix}-what": "Nuovo testo", f"{prefix}-actors": f"org:{other.organisation_id}"}, csrf)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and _beside(html, f"{prefix}-actors", "non partecipa a questo procedimento")
    assert "Nuovo testo" in html and "<details open>" in html  # the refused form stays open
    db.session.expire_all()
    assert finding.text == "Voce di prova: bisogno" and direction.what == "Tirocini condivisi"


def test_lifecycle_forms_refuse_without_confirmation_or_reason(client, notice, table, facilitator, staff):
    sign_in(client, facilitator)
    csrf = token(client, table)
    empty = _post(client, table, "/approva", {"approva-csrf_token": csrf, "approva-confirm": "y"}, csrf)
    assert empty.status_code == 422 and _beside(empty.get_data(as_text=True), "approva-confirm", "Il verbale è vuoto")
    assert count(Minutes) == 0  # the refused approval did not even leave an empty draft
    written(table, facilitator)
    db.session.commit()
    unconfirmed = _post(client, table, "/approva", {"approva-csrf_token": csrf}, csrf)
    assert unconfirmed.status_code == 422
    assert _beside(unconfirmed.get_data(as_text=True), "approva-confirm", "Per approvare, spuntare la conferma.")
    approved = _post(client, table, "/approva", {"approva-csrf_token": csrf, "approva-confirm": "y"}, csrf)
    assert approved.status_code == 302
    no_reason = _post(client, table, "/riapri", {"riapri-csrf_token": csrf, "riapri-reason": " "}, csrf)
    assert no_reason.status_code == 422 and _beside(no_reason.get_data(as_text=True), "riapri-reason", "Campo obbligatorio.")
    assert _post(client, table, "/pubblica", {"pubblica-csrf_token": csrf, "pubblica-confirm": "y"}, csrf).status_code == 403
    sign_in(client, staff)
    csrf = token(client, table)
    unconfirmed = _post(client, table, "/pubblica", {"pubblica-csrf_token": csrf}, csrf)
    assert unconfirmed.status_code == 422
    assert _beside(unconfirmed.get_data(as_text=True), "pubblica-confirm", "Per pubblicare, spuntare la conferma.")
    db.session.expire_all()
    assert db.session.scalar(select(Minutes.state)) == MinutesState.APPROVED
    published = _post(client, table, "/pubblica", {"pubblica-csrf_token": csrf, "pubblica-confirm": "y"}, csrf)
    assert published.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Minutes.state)) == MinutesState.PUBLISHED


def test_approval_before_the_start_is_refused_in_the_page(client, notice, staff, facilitator):
    future = make_table_session(notice, by=staff, facilitators=[facilitator], starts_in_hours=24)
    minutes = service.get_or_create_minutes(future, by=facilitator)
    service.add_finding(minutes, FindingKind.NEED, "Preparato", by=facilitator)
    sign_in(client, facilitator)
    csrf = token(client, future)
    response = _post(client, future, "/approva", {"approva-csrf_token": csrf, "approva-confirm": "y"}, csrf)
    assert response.status_code == 422
    assert _beside(response.get_data(as_text=True), "approva-confirm", "non è ancora iniziato")


def test_approved_minutes_are_read_only_in_the_page(client, table, facilitator):
    minutes = written(table, facilitator)
    service.approve(minutes, by=facilitator)
    finding = minutes.findings[0]
    sign_in(client, facilitator)
    html = client.get(editor_url(table)).get_data(as_text=True)
    assert "Voce di prova: bisogno" in html and "/parte-1/" not in html and "Riapri per modificare" in html
    csrf = csrf_token_from(html)
    response = _post(client, table, f"/voci/{finding.id}/elimina", {"csrf_token": csrf}, csrf)
    assert response.status_code == 302  # refused with a message: the state does not allow it
    db.session.expire_all()
    assert count(Finding) == 3


# Permissions -----------------------------------------------------------------------------------


def _urls(table) -> list[str]:
    return [editor_url(table), editor_url(table) + "/documento", f"/tavoli/incontri/{table.id}/verbale.pdf"]


def test_anonymous_users_are_sent_to_sign_in(client, table):
    db.session.commit()
    for url in _urls(table):
        response = client.get(url)
        assert response.status_code == 302 and "/accedi" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.ETS, Role.CASE_MANAGER, Role.INVITED_BODY, Role.FACILITATOR])
def test_other_roles_and_other_facilitators_get_403(client, table, facilitator, role):
    minutes = written(table, facilitator)
    finding = minutes.findings[0]
    sign_in(client, make_user(role))  # a facilitator, but of no session
    for url in _urls(table):
        assert client.get(url).status_code == 403, url
    csrf = csrf_token_from(client.get("/").get_data(as_text=True))  # the header's sign-out form
    for path, data in (("/parte-1/bisogno", {"nuova-bisogno-text": "Intrusione"}), (f"/voci/{finding.id}/elimina", {}),
                       ("/approva", {"approva-confirm": "y"}), ("/pubblica", {"pubblica-confirm": "y"})):
        assert _post(client, table, path, data, csrf).status_code == 403, path
    db.session.expire_all()
    assert count(Finding) == 3 and db.session.scalar(select(Minutes.state)) == MinutesState.DRAFT


def test_staff_and_the_sessions_facilitator_may_use_every_page(client, table, facilitator, staff):
    written(table, facilitator)
    for user in (facilitator, staff):
        sign_in(client, user)
        for url in _urls(table):
            assert client.get(url).status_code == 200, (user.role, url)


def test_the_public_version_exists_only_once_published(client, table, facilitator, staff):
    minutes = written(table, facilitator)
    db.session.commit()
    pdf = public_url(table) + ".pdf"
    assert client.get(public_url(table)).status_code == 404 and client.get(pdf).status_code == 404
    service.approve(minutes, by=facilitator)
    db.session.commit()
    assert client.get(public_url(table)).status_code == 404 and client.get(pdf).status_code == 404
    service.publish(minutes, by=staff)
    db.session.commit()
    assert client.get(public_url(table)).status_code == 200 and client.get(pdf).status_code == 200
    other = make_notice(by=staff, published=True)
    db.session.commit()
    assert client.get(f"/avvisi/{other.procedure.slug}/tavoli/{table.id}/verbale").status_code == 404


def test_items_move_and_go_without_javascript(client, table, facilitator):
    minutes = written(table, facilitator)
    first = service.add_finding(minutes, FindingKind.NEED, "Seconda voce", by=facilitator)
    extra = service.add_direction(minutes, DirectionInput(what="Seconda direzione"), by=facilitator)
    sign_in(client, facilitator)
    csrf = token(client, table)
    moved = _post(client, table, f"/voci/{first.id}/sposta", {"verso": "su"}, csrf)
    assert moved.status_code == 302 and moved.headers["Location"].endswith("#voci-bisogno")
    assert _post(client, table, f"/direzioni/{extra.id}/sposta", {"verso": "su"}, csrf).status_code == 302
    deleted = _post(client, table, f"/direzioni/{extra.id}/elimina", {}, csrf)
    assert deleted.status_code == 302 and deleted.headers["Location"].endswith("#direzioni")
    html = client.get(editor_url(table)).get_data(as_text=True)
    assert html.index("Seconda voce") < html.index("Voce di prova: bisogno") and "Seconda direzione" not in html
    assert "Direzione eliminata." in html


def test_items_of_another_session_are_404(client, notice, staff, table, facilitator):
    minutes = written(table, facilitator)
    other = make_table_session(notice, by=staff, facilitators=[facilitator], starts_in_hours=-1)
    sign_in(client, facilitator)
    csrf = token(client, other)
    finding, direction = minutes.findings[0], minutes.directions[0]
    assert _post(client, other, f"/voci/{finding.id}", {f"voce-{finding.id}-text": "x"}, csrf).status_code == 404
    assert _post(client, other, f"/direzioni/{direction.id}/elimina", {}, csrf).status_code == 404
    assert _post(client, other, "/parte-1/nessuna", {}, csrf).status_code == 404
    assert client.get("/tavoli/incontri/999999/verbale").status_code == 404


# The public version: counts, no names ------------------------------------------------------------


def _publish(table, facilitator, staff, application) -> Minutes:
    minutes = written(table, facilitator)
    citizen = application.co_opted[0]
    service.add_direction(minutes, DirectionInput(what="Accompagnamento", actor_keys=[f"co:{citizen.id}"]),
                          by=facilitator)
    service.approve(minutes, by=facilitator)
    service.publish(minutes, by=staff)
    db.session.commit()
    return minutes


def test_the_public_page_has_the_counts_and_no_personal_names(client, table, facilitator, staff, application):
    _publish(table, facilitator, staff, application)
    html = client.get(public_url(table)).get_data(as_text=True)
    assert "Iscritti all'incontro: 3; presenti: 2." in html
    assert re.search(r"Privato sociale – ETS</th>\s*<td class=\"text-end\">1</td>", html)
    assert ETS_NAME in html and "Cittadino (nome non pubblicato)" in html and "Tirocini condivisi" in html
    for name in (REGISTRANT, "Secondo Presente", "Assente Iscritta", facilitator.full_name, CITIZEN, staff.full_name):
        assert name not in html, name
    # the document for facilitators and staff names the facilitators, still not the registrants
    sign_in(client, facilitator)
    internal = client.get(editor_url(table) + "/documento").get_data(as_text=True)
    assert facilitator.full_name in internal and REGISTRANT not in internal and CITIZEN not in internal


def test_the_public_page_is_cached_for_anonymous_visitors(client, table, facilitator, staff, application):
    _publish(table, facilitator, staff, application)
    first = client.get(public_url(table))
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get(public_url(table), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_the_demo_publishes_fourteen_verbali_and_leaves_one_draft(demo_app, demo_session):
    """The demo as the `demo_app` fixture (tests/conftest.py) loaded it, once per worker."""
    session = demo_session
    assert "14 verbali pubblicati e 1 in bozza" in demo_app.config["TEST_DEMO_OUTPUT"]
    second = demo_app.test_cli_runner().invoke(args=["demo"])
    assert "0 creati" in second.output  # idempotent: nothing written twice
    from coprog.auth.models import User
    from coprog.tables.models import TableSession

    users = {u.email: u for u in session.scalars(select(User))}
    rows = session.scalars(select(Minutes).join(TableSession).order_by(TableSession.starts_at)).all()
    assert [m.state for m in rows] == [MinutesState.PUBLISHED] * 14 + [MinutesState.DRAFT]
    assert session.scalar(select(func.count()).select_from(Finding)) == sum(len(m.findings) for m in rows)
    draft = rows[-1]
    assert [g.name for g in draft.session.groups] == ["Pianura Est", "Pianura Ovest", "Savena Idice"]
    assert draft.findings and not draft.directions
    for minutes in rows[:-1]:
        assert minutes.approved_by_id == users["facilitatore@demo.coprog.it"].id
        assert minutes.published_by_id == users["rup@demo.coprog.it"].id
        assert minutes.session.starts_at < minutes.approved_at < minutes.published_at
        assert minutes.published_at.year == 2025 and len(minutes.directions) == 4
        assert {f.kind for f in minutes.findings} == set(FindingKind)
        assert all(entry.at.year == 2025 for entry in history(minutes))
    kinds = {actor.kind for m in rows for d in m.directions for actor in d.actors}
    assert {ActorKind.ETS, ActorKind.CO_OPTED, ActorKind.INVITED_BODY, ActorKind.PUBLIC_SERVICE} <= kinds


# Text typed by users is text everywhere --------------------------------------------------------------


def _scripted(table, facilitator, application) -> Minutes:
    minutes = service.get_or_create_minutes(table, by=facilitator)
    for kind in FindingKind:
        service.add_finding(minutes, kind, SCRIPT, by=facilitator)
    service.add_direction(minutes, DirectionInput(what=SCRIPT, who=SCRIPT, how=SCRIPT, new_actors=SCRIPT,
                                                  actor_keys=[f"org:{application.organisation_id}"]), by=facilitator)
    service.save_notes(minutes, SCRIPT, by=facilitator)
    return minutes


def test_script_in_every_text_field_is_text_in_every_page_and_the_pdf(client, app, table, facilitator, staff, application):
    minutes = _scripted(table, facilitator, application)
    service.approve(minutes, by=facilitator)
    db.session.commit()

    def check(url, expected):
        html = client.get(url).get_data(as_text=True)
        assert SCRIPT not in html and "<b>grassetto</b>" not in html, url
        assert html.count("&lt;script&gt;alert(") >= expected, (url, html.count("&lt;script&gt;alert("))

    sign_in(client, facilitator)
    check(editor_url(table), 8)  # 3 findings, who, what, how, the named actor, notes
    check(editor_url(table) + "/documento", 8)
    service.reopen(minutes, SCRIPT, by=facilitator)  # the reason shows in the history
    db.session.commit()
    check(editor_url(table), 9)
    service.approve(minutes, by=facilitator)
    service.publish(minutes, by=staff)
    db.session.commit()
    sign_in(client, staff)
    client.get("/esci")
    check(public_url(table), 8)
    with app.test_request_context():
        text = pdf_text(minutes_pdf(build_document(table, service.minutes_of(table), public=True), compress=False))
    assert text.count(SCRIPT) >= 7, text  # what, how and the notes may wrap; the short ones are whole
    assert "<b>grassetto</b>" in text


# The PDF ---------------------------------------------------------------------------------------------


def test_the_pdf_has_metadata_and_the_whole_verbale(client, app, table, facilitator, staff, application):
    minutes = _publish(table, facilitator, staff, application)
    response = client.get(public_url(table) + ".pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="verbale-{table.procedure.slug}-incontro-{table.id}.pdf"')
    data = response.get_data()
    assert data.startswith(b"%PDF") and b"/Author" in data and b"/CreationDate (D:" in data
    info = _info(data)
    assert "Azienda di prova" in info["Author"] and info["Title"].startswith("Verbale del tavolo")
    with app.test_request_context():
        text = pdf_text(minutes_pdf(build_document(table, minutes, public=True), compress=False))
        internal = pdf_text(minutes_pdf(build_document(table, minutes, public=False), compress=False))
    for expected in ("Parte 1 – Analisi dello stato attuale", "Voce di prova: criticita", "Tirocini condivisi",
                     "Chi può contribuire", ETS_NAME, "Cittadino (nome non pubblicato)", "Presenti"):
        assert expected in text, expected
    for name in (facilitator.full_name, REGISTRANT, CITIZEN):
        assert name not in text
    assert facilitator.full_name in internal and REGISTRANT not in internal


def test_braces_in_user_text_are_not_replaced_by_the_page_count(app, table, facilitator):
    minutes = service.get_or_create_minutes(table, by=facilitator)
    service.add_finding(minutes, FindingKind.NEED, "Costo {nb} euro **non grassetto**", by=facilitator)
    with app.test_request_context():
        text = pdf_text(minutes_pdf(build_document(table, minutes, public=False), compress=False))
    assert "Costo {nb} euro **non grassetto**" in text and re.search(r"Pagina 1 di\s*1", text)


# A small reader of fpdf2's uncompressed output (pypdf is not a dependency) -------------------------


def _objects(data: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(2) for m in re.finditer(rb"(\d+) 0 obj(.*?)endobj", data, re.S)}


def _literal(raw: bytes) -> bytes:
    """A PDF literal string's bytes (escapes resolved)."""
    out, i = bytearray(), 0
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    while i < len(raw):
        char = raw[i:i + 1]
        if char == b"\\":
            following = raw[i + 1:i + 2]
            octal = re.match(rb"[0-7]{1,3}", raw[i + 1:i + 4])
            if octal:
                out.append(int(octal.group(), 8))
                i += 1 + len(octal.group())
                continue
            out += escapes.get(following, following)
            i += 2
            continue
        out += char
        i += 1
    return bytes(out)


STRING = rb"\(((?:\\.|[^\\)])*)\)"


def _strings(content: bytes):
    """(font resource, bytes) for every Tj and TJ (justified lines), in order."""
    font = None
    for match in re.finditer(rb"/(F\d+) [\d.]+ Tf|" + STRING + rb" Tj|\[(.*?)\] TJ", content, re.S):
        if match.group(1):
            font = match.group(1).decode()
        elif match.group(3) is not None:
            yield font, b"".join(_literal(part) for part in re.findall(STRING, match.group(3), re.S))
        else:
            yield font, _literal(match.group(2))


def pdf_text(data: bytes) -> str:
    """The text of the PDF, decoding each font's glyph codes through its ToUnicode map."""
    objects = _objects(data)
    maps = {}
    for body in objects.values():
        fonts = re.search(rb"/Font\s*<<(.*?)>>", body, re.S)
        for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", fonts.group(1)) if fonts else []:
            to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(ref)])
            cmap = objects[int(to_unicode.group(1))]
            pairs = re.findall(rb"<([0-9A-F]{4})> <([0-9A-F]+)>", cmap)
            maps[name.decode()] = {int(code, 16): bytes.fromhex(uni.decode()).decode("utf-16-be") for code, uni in pairs}
    lines = []
    for body in objects.values():
        if b"stream" not in body or b"BT" not in body:
            continue
        for font, raw in _strings(body):
            codes = [int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw), 2)]
            lines.append("".join(maps.get(font, {}).get(code, "?") for code in codes))
    return "\n".join(lines)


def _info(data: bytes) -> dict[str, str]:
    """The document information dictionary's text strings (UTF-16 with BOM or Latin-1)."""
    trailer = re.search(rb"/Info (\d+) 0 R", data)
    body = _objects(data)[int(trailer.group(1))]
    info = {}
    for key, hexa, literal in re.findall(rb"/(\w+) (?:<([0-9A-Fa-f]+)>|\(((?:\\.|[^\\)])*)\))", body):
        raw = bytes.fromhex(hexa.decode()) if hexa else _literal(literal)
        info[key.decode()] = raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")
    return info
