"""Composing the synthesis: items per axis and cross-cutting, sources from the same procedure
only, nothing changes once approved, the states audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coprog.core.models import AuditEntry
from coprog.core.roles import Role
from coprog.extensions import db
from coprog.notices.models import IllegalTransition
from coprog.restitution.models import ItemKind, SynthesisState
from coprog.restitution.services import synthesis as service
from coprog.tables.models import Direction, Finding, FindingKind, Minutes, MinutesState

from ..factories import make_contribution, make_notice, make_table_session, make_user


@pytest.fixture
def staff(session):
    return make_user(Role.STAFF)


@pytest.fixture
def notice(session, staff):
    return make_notice(published=True, by=staff)


@pytest.fixture
def synthesis(notice):
    return service.synthesis_of(notice.procedure, create=True)


def published_session(notice, staff, *, text="Trasporti serali tra i comuni", state=MinutesState.PUBLISHED):
    meeting = make_table_session(notice, by=staff, starts_in_hours=-24)
    minutes = Minutes(session=meeting, state=state)
    db.session.add_all([minutes, Finding(minutes=minutes, kind=FindingKind.NEED, text=text),
                        Direction(minutes=minutes, who="Comuni", what="Una navetta", how="Convenzione")])
    db.session.flush()
    return meeting


def item(synthesis, staff, **data):
    axis = synthesis.procedure.authority.axes[0]
    values = {"kind": "direction", "axis_id": axis.id, "title": "Costruire filiere integrate e continue", **data}
    return service.add_item(synthesis, values, by=staff)


def test_items_go_in_their_section_in_order(synthesis, staff):
    axis = synthesis.procedure.authority.axes[0]
    first = item(synthesis, staff)
    second = item(synthesis, staff, title="Rafforzare l'accompagnamento   personalizzato")
    across = service.add_item(synthesis, {"kind": "cross_cutting", "title": "Rapporto tra assi da consolidare"}, by=staff)
    assert second.title == "Rafforzare l'accompagnamento personalizzato"  # spaces collapsed
    assert (first.position, second.position) == (1, 2) and across.axis is None
    by_section = {(s.kind, s.axis.id if s.axis else None): s.items for s in service.sections(synthesis)}
    assert by_section[(ItemKind.DIRECTION, axis.id)] == [first, second]
    assert by_section[(ItemKind.CROSS_CUTTING, None)] == [across]
    assert by_section[(ItemKind.ACTORS, axis.id)] == []  # empty sections shown, to add to
    service.move_item(second, -1, by=staff)
    assert (second.position, first.position) == (1, 2)
    service.move_item(second, -1, by=staff)  # already first: nothing moves
    assert (second.position, first.position) == (1, 2)


@pytest.mark.parametrize("data,field,message", [
    ({"title": ""}, "title", "Scrivi il titolo della voce."),
    ({"title": "x" * 301}, "title", "Massimo 300 caratteri."),
    ({"kind": "qualcosa"}, "kind", "Scegli il tipo di voce."),
    ({"axis_id": ""}, "axis_id", "Scegli l'asse della voce."),
    ({"axis_id": "999999"}, "axis_id", "Scegli l'asse della voce."),
    ({"description": "y" * 4001}, "description", "Massimo 4000 caratteri."),
])
def test_bad_items_are_refused_with_nothing_saved(synthesis, staff, data, field, message):
    with pytest.raises(service.SynthesisError) as refused:
        item(synthesis, staff, **data)
    assert refused.value.problems[field] == message
    assert synthesis.items == []


def test_an_axis_of_another_authority_is_refused(synthesis, staff):
    other = make_notice(published=True, slug="altro-ente-sintesi")
    foreign_axis = other.procedure.authority.axes[0]  # another authority's
    assert foreign_axis.authority_id != synthesis.procedure.authority_id
    with pytest.raises(service.SynthesisError):
        item(synthesis, staff, axis_id=foreign_axis.id)


def test_sources_from_the_same_procedure_only_and_counted(notice, synthesis, staff):
    direction = item(synthesis, staff)
    meeting = published_session(notice, staff)
    contribution = make_contribution(notice, by=staff)
    service.add_source(direction, session_id=meeting.id, by=staff)
    service.add_source(direction, session_id=str(meeting.id), by=staff)  # twice: nothing new
    service.add_source(direction, contribution_id=contribution.id, by=staff)
    assert service.provenance(direction) == service.Provenance(tables=1, contributions=1)

    draft_minutes = published_session(notice, staff, state=MinutesState.DRAFT)
    unpublished = make_contribution(notice, by=staff, approved=False)
    other = make_notice(published=True, slug="altro-procedimento")
    foreign = make_contribution(other, by=staff)
    for kwargs in ({"session_id": draft_minutes.id}, {"contribution_id": unpublished.id},
                   {"contribution_id": foreign.id}, {"session_id": "abc"}, {}):
        with pytest.raises(service.SynthesisError):
            service.add_source(direction, by=staff, **kwargs)
    assert service.provenance(direction) == service.Provenance(tables=1, contributions=1)
    service.remove_source(direction.sources[0], by=staff)
    assert service.provenance(direction).tables + service.provenance(direction).contributions == 1


def test_candidates_search_the_verbali_and_the_contributions(notice, staff):
    meeting = published_session(notice, staff, text="Trasporti serali tra i comuni della pianura")
    published_session(notice, staff, text="Una palestra comunale", state=MinutesState.DRAFT)
    make_contribution(notice, by=staff, description="Una navetta serale del sabato")
    make_contribution(notice, by=staff, description="Una sala per incontri")
    procedure = notice.procedure
    assert service.session_candidates(procedure, "TRASPORTI serali") == [meeting]
    assert service.session_candidates(procedure, "navetta") == [meeting]  # Part 2 too
    assert service.session_candidates(procedure, "palestra") == []  # draft verbale
    assert [c.description for c in service.contribution_candidates(procedure, "navetta")] == ["Una navetta serale del sabato"]
    assert len(service.contribution_candidates(procedure, "%")) == 2  # a wildcard is not a pattern


def test_states_audited_and_nothing_changes_unless_draft(synthesis, staff):
    direction = item(synthesis, staff)
    with pytest.raises(IllegalTransition):
        service.move_synthesis(synthesis, SynthesisState.PUBLISHED, by=staff)
    service.move_synthesis(synthesis, SynthesisState.APPROVED, by=staff)
    for change in (lambda: item(synthesis, staff), lambda: service.edit_item(direction, {"title": "Nuovo"}, by=staff),
                   lambda: service.delete_item(direction, by=staff), lambda: service.move_item(direction, 1, by=staff),
                   lambda: service.save_introduction(synthesis, "Testo", by=staff)):
        with pytest.raises(service.NotEditable):
            change()
    service.move_synthesis(synthesis, SynthesisState.PUBLISHED, by=staff)
    assert synthesis.is_published and synthesis.published_at is not None
    states = db.session.scalars(select(AuditEntry.to_state).where(
        AuditEntry.object_type == "Synthesis", AuditEntry.object_id == synthesis.id).order_by(AuditEntry.id)).all()
    assert states == ["approved", "published"]
    assert service.published_synthesis(synthesis.procedure) is synthesis


def test_an_empty_synthesis_is_not_published(synthesis, staff):
    service.move_synthesis(synthesis, SynthesisState.APPROVED, by=staff)
    with pytest.raises(service.SynthesisError) as refused:
        service.move_synthesis(synthesis, SynthesisState.PUBLISHED, by=staff)
    assert refused.value.problems["state"] == "Una sintesi senza voci non si pubblica."
    assert synthesis.state == SynthesisState.APPROVED
