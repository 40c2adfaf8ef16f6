"""From the co-programming to the list: admitted entities invited once; a first application to
the list starts from the co-programming one (never its declarations or signed form); a new entry
starts with one service per published contribution, linked to it."""

from __future__ import annotations

from sqlalchemy import select

from coprog.applications import services as applications
from coprog.core.roles import Role
from coprog.notify.models import OutboxMessage
from coprog.qualified.services import invitations

from ..factories import (
    make_admitted,
    make_contribution,
    make_list_notice,
    make_notice,
    make_user,
)


def test_admitted_entities_are_invited_once_and_start_from_what_they_gave(session):
    staff = make_user(Role.STAFF)
    coprogramming = make_notice(published=True, by=staff)
    authority = coprogramming.procedure.authority
    listing = make_list_notice(authority, by=staff)
    admitted = make_admitted(coprogramming)
    source = admitted.organisation
    from coprog.actors.services import actor_for_organisation

    contribution = make_contribution(coprogramming, by=staff, actor=actor_for_organisation(source),
                                     description="Due posti in appartamento condiviso", capacity=2)
    make_contribution(coprogramming, by=staff, actor=actor_for_organisation(source), approved=False)

    assert invitations.invite_admitted(listing, coprogramming.procedure, by=staff) == 1
    mail = session.scalars(select(OutboxMessage).where(OutboxMessage.template == "qualified_invitation")).all()
    assert mail and all(listing.procedure.slug in m.body_text for m in mail)

    member = source.members[0].user
    draft = applications.start_draft(listing, source, by=member)
    previous = session.scalars(select(type(draft)).where(type(draft).organisation_id == source.id,
                                                         type(draft).notice_id == coprogramming.id)).one()
    assert draft.legal_rep_cf == previous.legal_rep_cf and draft.email == previous.email
    assert [a.id for a in draft.axes] == [a.id for a in previous.axes]
    assert draft.signed_file_id is None and not draft.dsan_truthful  # declared again for this notice

    from coprog.qualified.services.entries import request_entry

    draft.notice = listing
    entry = request_entry(draft, by=member)
    assert [s.contributions[0].id for s in entry.services] == [contribution.id]  # the published one only
    service = entry.services[0]
    assert service.capacity == 2 and "appartamento" in service.search_text
    assert invitations.invitable(listing.procedure, coprogramming.procedure) == []  # listed now


def test_an_entity_with_nothing_admitted_starts_empty(session):
    staff = make_user(Role.STAFF)
    listing = make_list_notice(by=staff)
    from ..factories import make_organisation

    owner = make_user(Role.ETS)
    draft = applications.start_draft(listing, make_organisation(owner), by=owner)
    assert draft.legal_rep_cf == "" and draft.axes == []


def test_staff_invite_from_the_list_page(client, session, login_as):
    from ..conftest import csrf_token_from

    staff = login_as(Role.STAFF)
    coprogramming = make_notice(published=True, by=staff)
    listing = make_list_notice(coprogramming.procedure.authority, by=staff)
    make_admitted(coprogramming)
    other_authority = make_notice(published=True, by=staff)
    session.commit()
    page = client.get(f"/gestione/procedimenti/{listing.procedure_id}/elenco")
    html = page.get_data(as_text=True)
    assert "Invita gli ammessi" in html and "1 ente da invitare" in html
    url = f"/gestione/procedimenti/{listing.procedure_id}/elenco/invita"
    token = csrf_token_from(html)
    refused = client.post(url, data={"csrf_token": token, "fonte": other_authority.procedure_id}, follow_redirects=True)
    assert "Scegli una co-programmazione dell&#39;azienda." in refused.get_data(as_text=True)
    sent = client.post(url, data={"csrf_token": token, "fonte": coprogramming.procedure_id}, follow_redirects=True)
    assert "Invito inviato a 1 ente." in sent.get_data(as_text=True)
    assert session.scalar(select(OutboxMessage).where(OutboxMessage.template == "qualified_invitation")) is not None
    assert client.post(url, data={"fonte": coprogramming.procedure_id}).status_code == 400  # no CSRF token
