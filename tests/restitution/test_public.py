"""The public restitution over HTTP: the synthesis with its provenance, the participation chart
and its table, the item pages with their sources; nothing before publication; a change of
attendance shows at once on the cached page; no personal names."""

from __future__ import annotations

import re

from coprog.restitution.models import SynthesisState
from coprog.restitution.services import synthesis as service
from coprog.tables.services.checkin import check_in

from ..factories import (
    make_contribution,
    make_notice,
    make_registration,
    make_table_session,
)
from .test_synthesis import published_session


def publish(notice, staff, *, sources=True):
    synthesis = service.synthesis_of(notice.procedure, create=True)
    axis = notice.procedure.authority.axes[0]
    item = service.add_item(synthesis, {"kind": "direction", "axis_id": axis.id, "title": "Filiere integrate"}, by=staff)
    if sources:
        service.add_source(item, session_id=published_session(notice, staff).id, by=staff)
        service.add_source(item, contribution_id=make_contribution(notice, by=staff, description="Tirocini in cucina").id,
                           by=staff)
    service.move_synthesis(synthesis, SynthesisState.APPROVED, by=staff)
    service.move_synthesis(synthesis, SynthesisState.PUBLISHED, by=staff)
    return item


def test_the_restitution_shows_the_synthesis_with_where_it_came_from(client, session, notice, staff):
    item = publish(notice, staff)
    session.commit()
    slug = notice.procedure.slug
    html = client.get(f"/avvisi/{slug}/restituzione").get_data(as_text=True)
    assert "Filiere integrate" in html and "emersa da 1 tavolo e 1 contributo" in html
    assert 'role="img" aria-labelledby="chart-title chart-desc"' in html
    assert f"/avvisi/{slug}/restituzione" in client.get(f"/avvisi/{slug}").get_data(as_text=True)
    page = client.get(f"/avvisi/{slug}/restituzione/voci/{item.id}").get_data(as_text=True)
    assert "Emersa da 1 tavolo e 1 contributo." in page and "Tirocini in cucina" in page
    assert re.search(rf'href="/avvisi/{slug}/tavoli/\d+/verbale"', page)


def test_nothing_is_shown_before_publication(client, session, notice, staff):
    synthesis = service.synthesis_of(notice.procedure, create=True)
    item = service.add_item(synthesis, {"kind": "perspective", "title": "Bozza riservata"}, by=staff)
    session.commit()
    slug = notice.procedure.slug
    html = client.get(f"/avvisi/{slug}/restituzione").get_data(as_text=True)
    assert "Non ancora pubblicata" in html and "Bozza riservata" not in html
    assert client.get(f"/avvisi/{slug}/restituzione/voci/{item.id}").status_code == 404
    assert "#restituzione" not in client.get(f"/avvisi/{slug}").get_data(as_text=True)


def test_an_item_of_another_procedure_is_not_found_here(client, session, notice, staff):
    other = make_notice(published=True, by=staff)
    item = publish(other, staff, sources=False)
    session.commit()
    assert client.get(f"/avvisi/{notice.procedure.slug}/restituzione/voci/{item.id}").status_code == 404


def test_an_attendance_changes_the_cached_page_at_once_and_no_name_shows(client, session, notice, staff):
    publish(notice, staff, sources=False)
    meeting = make_table_session(notice, by=staff, starts_in_hours=1, facilitators=[staff])
    person = make_registration(meeting, full_name="Ginevra Nascosta", category="ets")
    session.commit()
    url = f"/avvisi/{notice.procedure.slug}/restituzione"
    first = client.get(url)
    assert "0 presenze in tutto" in first.get_data(as_text=True)
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304  # cached
    check_in(person, by=staff)
    session.commit()
    second = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and second.headers["ETag"] != first.headers["ETag"]
    body = second.get_data(as_text=True)
    assert "1 presenza in tutto" in body
    assert "Ginevra Nascosta" not in body


def test_sintesi_json_carries_each_item_with_its_sources(client, session, notice, staff):
    slug = notice.procedure.slug
    assert client.get(f"/dati/{slug}/sintesi.json").status_code == 404  # nothing published yet
    item = publish(notice, staff)
    session.commit()
    response = client.get(f"/dati/{slug}/sintesi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert data["procedure"] == slug and data["licence"] == "CC-BY-4.0"
    (entry,) = data["items"]
    assert entry["id"] == item.id and entry["kind"] == "direction" and entry["title"] == "Filiere integrate"
    assert (entry["tables"], entry["contributions"]) == (1, 1)
    (meeting,) = entry["sources"]["sessions"]
    assert meeting["minutes_url"].endswith(f"/avvisi/{slug}/tavoli/{meeting['id']}/verbale")
    (contribution,) = entry["sources"]["contributions"]
    assert contribution["description"] == "Tirocini in cucina" and contribution["actor"]
    assert entry["url"].endswith(f"/avvisi/{slug}/restituzione/voci/{item.id}")
