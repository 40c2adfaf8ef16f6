"""Participation figures: computed from registrations and check-ins, shown to staff and the
public, published as open data; the demo reproduces seed 002."""

from __future__ import annotations

import csv
import io

from coprog.core.roles import Role
from coprog.tables.services.checkin import add_walk_in, check_in
from coprog.tables.services.figures import participation
from coprog.tables.services.planning import category_by_code

from ..dbutil import statements_run
from ..factories import make_notice, make_registration, make_table_session, make_user

# Seed 002, "PARTECIPANTI ASSE …": attended by category, and registered, per axis.
SEED_ATTENDED = {
    "Formazione/Lavoro": {"AUSL": 35, "Servizi sociali – Comuni/Unioni": 13, "Privato sociale – ETS": 87},
    "Abitare": {"AUSL": 37, "Servizi sociali – Comuni/Unioni": 13, "Privato sociale – ETS": 66},
    "Socialità": {"AUSL": 41, "Servizi sociali – Comuni/Unioni": 10, "Privato sociale – ETS": 67},
}
SEED_REGISTERED = {"Formazione/Lavoro": 176, "Abitare": 163, "Socialità": 165}
SEED_MERGED = {("Bologna Ovest", "Bologna Est"): 50, ("Pianura Est", "Pianura Ovest", "Savena Idice"): 46}


def test_demo_open_data_has_the_seed_002_totals(demo_client):
    """The demo as the `demo_app` fixture (tests/conftest.py) loaded it, once per worker."""
    client = demo_client
    data = client.get("/dati/bds-bologna-2025/partecipazione.json").get_json()
    assert data["procedure"] == "bds-bologna-2025"
    attended, registered, merged = {}, {}, {}
    for item in data["sessions"]:
        assert set(item) == {"axis", "date", "shift", "groups", "registered", "attended"}
        totals = attended.setdefault(item["axis"], {})
        for label, count in item["attended"].items():
            totals[label] = totals.get(label, 0) + count
        registered[item["axis"]] = registered.get(item["axis"], 0) + item["registered"]
        if len(item["groups"]) > 1:
            merged[tuple(item["groups"])] = sum(item["attended"].values())
    for axis, expected in SEED_ATTENDED.items():
        assert {k: v for k, v in attended[axis].items() if v} == expected
        assert sum(attended[axis].values()) == {"Formazione/Lavoro": 135, "Abitare": 116, "Socialità": 118}[axis]
    assert registered == SEED_REGISTERED
    assert merged == SEED_MERGED
    assert {item["date"] for item in data["sessions"]} == {"2025-10-29", "2025-11-12", "2025-11-25"}
    assert len(data["sessions"]) == 15


def test_demo_csv_matches_the_json(demo_client):
    rows = list(csv.DictReader(io.StringIO(demo_client.get("/dati/bds-bologna-2025/partecipazione.csv").get_data(as_text=True)), delimiter=";"))
    by_axis = {}
    for row in rows:
        by_axis[row["asse"]] = by_axis.get(row["asse"], 0) + int(row["presenti"])
    assert by_axis == {"Formazione/Lavoro": 135, "Abitare": 116, "Socialità": 118}


def test_figures_count_registrations_and_check_ins_never_totals(session):
    notice = make_notice(published=True)
    staff = make_user(Role.STAFF)
    meeting = make_table_session(notice, by=staff, groups=2, capacity=3, starts_in_hours=1)
    first, second = meeting.groups
    people = [make_registration(meeting, group=first, category="ets") for _ in range(2)]
    people.append(make_registration(meeting, group=second, category="ausl"))
    waiting = make_registration(meeting, group=second, category="ausl")  # over capacity
    check_in(people[0], by=staff)
    check_in(people[0], by=staff)  # a double tap counts once
    check_in(people[2], by=staff)
    add_walk_in(meeting, second, category_by_code(notice.procedure, "servizi_sociali"), full_name="Ospite", by=staff)
    [figures] = participation(notice.procedure)
    ets, ausl, social = (category_by_code(notice.procedure, code).id for code in ("ets", "ausl", "servizi_sociali"))
    assert figures.registered() == 3 and waiting.state.value == "waitlisted" and figures.waitlisted == 1
    assert figures.registered(group_id=first.id, category_id=ets) == 2
    assert figures.attended() == 3  # the walk-in is present, not registered
    assert (figures.attended(category_id=ets), figures.attended(category_id=ausl), figures.attended(category_id=social)) == (1, 1, 1)
    assert figures.attended(group_id=second.id) == 2


def test_figures_use_a_fixed_number_of_queries(session, app):
    notice = make_notice(published=True)
    staff = make_user(Role.STAFF)
    for _ in range(6):
        meeting = make_table_session(notice, by=staff, starts_in_hours=1)
        for _ in range(5):
            check_in(make_registration(meeting, by=staff), by=staff)
    with statements_run() as statements:
        figures = participation(notice.procedure)
    assert len(figures) == 6 and sum(f.attended() for f in figures) == 30
    assert len(statements) <= 10, statements


def test_public_and_staff_pages(client, login_as, session):
    notice = make_notice(published=True)
    staff = make_user(Role.STAFF)
    meeting = make_table_session(notice, by=staff, groups=2, starts_in_hours=1)
    person = make_registration(meeting, category="ets", full_name="Nome Riservato")
    check_in(person, by=staff)
    session.commit()
    slug = notice.procedure.slug
    public = client.get(f"/avvisi/{slug}/tavoli/partecipazione")
    assert public.status_code == 200
    html = public.get_data(as_text=True)
    assert "Presenti: Privato sociale – ETS" in html and "Nome Riservato" not in html
    assert "di cui" not in html  # the per-group breakdown is for staff
    url = f"/gestione/procedimenti/{notice.procedure_id}/tavoli/partecipazione"
    login_as(Role.ETS)
    assert client.get(url).status_code == 403
    login_as(Role.STAFF)
    staff_page = client.get(url).get_data(as_text=True)
    assert "di cui" in staff_page and "In lista d'attesa" in staff_page


def test_unknown_or_draft_procedure_has_no_figures(client, session):
    draft = make_notice(published=False)
    session.commit()
    assert client.get("/dati/non-esiste/partecipazione.json").status_code == 404
    assert client.get("/gestione/procedimenti/999999/tavoli/partecipazione").status_code in (302, 404)
    response = client.get(f"/dati/{draft.procedure.slug}/partecipazione.json")
    assert response.status_code in (302, 403, 404)


def test_changes_show_at_once_on_the_cached_public_page(client, session):
    notice = make_notice(published=True)
    staff = make_user(Role.STAFF)
    meeting = make_table_session(notice, by=staff, starts_in_hours=1)
    person = make_registration(meeting)
    session.commit()
    url = f"/dati/{notice.procedure.slug}/partecipazione.json"
    assert sum(client.get(url).get_json()["sessions"][0]["attended"].values()) == 0
    check_in(person, by=staff)
    session.commit()
    assert sum(client.get(url).get_json()["sessions"][0]["attended"].values()) == 1


def test_csv_cells_cannot_become_formulas(session, app):
    from coprog.tables.services.figures import open_data_csv
    from coprog.tables.services.planning import save_category

    notice = make_notice(published=True)
    staff = make_user(Role.STAFF)
    make_table_session(notice, by=staff)
    save_category(notice.procedure, None, "=HYPERLINK(\"x\")", by=staff)
    text = open_data_csv(notice.procedure)
    assert "'=HYPERLINK" in text


def test_preset_categories_are_stored_in_italian_and_shown_in_the_readers_language(client, login_as, session):
    from coprog.tables.models import TableCategory

    notice = make_notice(published=True)
    staff = make_user(Role.STAFF)
    meeting = make_table_session(notice, by=staff, starts_in_hours=1)
    session.commit()
    client.get("/lingua/en?next=/")  # the first reader of the categories reads in English
    make_registration(meeting, category="ets")  # creates the procedure's categories
    session.commit()
    stored = {c.code: c.stored_label for c in session.query(TableCategory).filter_by(procedure_id=notice.procedure_id)}
    assert stored["ets"] == "Privato sociale – ETS"
    english = client.get(f"/avvisi/{notice.procedure.slug}/tavoli/partecipazione").get_data(as_text=True)
    assert "Private social sector – ETS" in english and "Privato sociale – ETS" not in english
    data = client.get(f"/dati/{notice.procedure.slug}/partecipazione.json").get_json()
    assert "Privato sociale – ETS" in data["sessions"][0]["attended"]  # open data keep one language
