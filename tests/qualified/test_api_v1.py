"""The keyed v1 API (/api/v1/) and the staff pages of its keys: 401 without a key, with a wrong or
a revoked one; 200 and last_used_at with a valid one; 429 past the rate; every malformed
parameter named in a 400 JSON body; only entries valid today; the entity's contacts (for the
authority's systems); issuing, showing once and revoking keys, with bad input and permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from coprog.core.models import AuditEntry
from coprog.core.roles import Role
from coprog.core.time import naive_utc, utcnow
from coprog.extensions import db
from coprog.qualified.api_keys import (
    SlidingWindow,
    bearer_key,
    digest,
    find_key,
    issue_key,
    revoke_key,
)
from coprog.qualified.models import ApiKey

from ..conftest import csrf_token_from
from ..dbutil import statements_of
from ..factories import make_user
from .api_helpers import bearer, build_scene

SERVICES = "/api/v1/services"
KEYS = "/gestione/api/chiavi"


@pytest.fixture
def scene(app_ctx, session):
    return build_scene(session)


def key_row(session, key: str) -> ApiKey:
    session.expire_all()
    return session.scalar(select(ApiKey).where(ApiKey.key_sha256 == digest(key)))


# Keys ---------------------------------------------------------------------------------------------


def test_requests_without_a_valid_key_get_401(client, scene, session):
    for headers in ({}, {"Authorization": "Bearer cpg_sbagliata"}, {"Authorization": f"Basic {scene.key}"},
                    {"Authorization": "Bearer"}, {"X-API-Key": scene.key}):
        for path in (SERVICES, f"/api/v1/entities/{scene.valid.id}"):
            response = client.get(path, headers=headers)
            assert response.status_code == 401, (headers, path)
            assert response.mimetype == "application/json"
            assert response.get_json()["status"] == 401 and response.get_json()["message"]
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert 'error="invalid_token"' in client.get(SERVICES, headers=bearer("cpg_x")).headers["WWW-Authenticate"]


def test_a_valid_key_gets_200_and_last_used_at(client, scene, session):
    assert key_row(session, scene.key).last_used_at is None
    response = client.get(SERVICES, headers=bearer(scene.key))
    assert response.status_code == 200, response.get_json()
    assert response.headers["Cache-Control"] == "no-store"
    assert key_row(session, scene.key).last_used_at is not None


def test_a_locked_database_does_not_fail_the_request_for_the_last_used_date(client, scene, session, monkeypatch):
    """Two workers noting the same key at once: on SQLite one gets "database is locked"."""
    from sqlalchemy.exc import OperationalError

    real_commit = db.session.commit

    def locked():
        monkeypatch.setattr(db.session, "commit", real_commit)  # only the first commit fails
        raise OperationalError("UPDATE api_keys", {}, Exception("database is locked"))

    monkeypatch.setattr(db.session, "commit", locked)
    response = client.get(SERVICES, headers=bearer(scene.key))
    assert response.status_code == 200, response.get_json()
    assert key_row(session, scene.key).last_used_at is None  # noted at the next use


def test_a_revoked_key_gets_401(client, scene, session):
    assert client.get(SERVICES, headers=bearer(scene.key)).status_code == 200
    assert revoke_key(key_row(session, scene.key), by=scene.staff)
    session.commit()
    response = client.get(SERVICES, headers=bearer(scene.key))
    assert response.status_code == 401 and "revocata" in response.get_json()["message"]
    assert not revoke_key(key_row(session, scene.key), by=scene.staff)  # already revoked


def test_a_key_revoked_by_another_worker_is_refused_within_a_second(client, scene, session, recent_clock):
    for _ in range(2):  # the first use notes last_used_at, a change to the key: copies dropped
        assert client.get(SERVICES, headers=bearer(scene.key)).status_code == 200
    row = key_row(session, scene.key)
    session.execute(update(ApiKey).where(ApiKey.id == row.id).values(revoked_at=naive_utc(utcnow())))
    session.commit()  # a Core statement: this process's copies are not told, as with another worker
    assert client.get(SERVICES, headers=bearer(scene.key)).status_code == 200
    recent_clock.pass_recheck()
    assert client.get(SERVICES, headers=bearer(scene.key)).status_code == 401


def test_keys_are_stored_as_digests(app_ctx, session):
    row, key = issue_key("Sistema", by=None)
    assert key.startswith("cpg_") and len(key) >= 40
    assert row.key_sha256 == digest(key) and key not in (row.key_sha256, row.prefix)
    assert row.prefix == key[:12]
    assert find_key(key) is row
    assert find_key(key[:-1] + ("A" if key[-1] != "A" else "B")) is None  # same prefix, another key
    assert find_key(None) is None and find_key("") is None and find_key("x" * 500) is None
    assert bearer_key("bearer  abc ") == "abc" and bearer_key("Token abc") is None and bearer_key(None) is None


def test_past_the_limit_429(client, scene, app, monkeypatch):
    monkeypatch.setitem(app.config, "COPROG_API_RATE_PER_MINUTE", 3)
    for _ in range(3):
        assert client.get(SERVICES, headers=bearer(scene.key)).status_code == 200
    response = client.get(SERVICES, headers=bearer(scene.key))
    assert response.status_code == 429 and response.mimetype == "application/json"
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.get_json()["status"] == 429
    # another key has its own window
    _row, other = issue_key("Altro sistema", by=scene.staff)
    db.session.commit()
    assert client.get(SERVICES, headers=bearer(other)).status_code == 200


def test_sliding_window():
    window = SlidingWindow(window=60)
    assert [window.hit("k", 2, now=t) for t in (0, 10, 20)] == [0, 0, 40]
    assert window.hit("k", 2, now=59.5) == 1  # the first hit leaves the window at 60
    assert window.hit("k", 2, now=60) == 0
    assert window.hit("other", 2, now=60) == 0


# Search -------------------------------------------------------------------------------------------


def get(client, scene, query: str = "", path: str = SERVICES):
    response = client.get(f"{path}?{query}" if query else path, headers=bearer(scene.key))
    return response.status_code, response.get_json()


def test_search_shows_only_valid_entries(client, scene):
    status, body = get(client, scene)
    assert status == 200
    assert {i["title"] for i in body["items"]} == {"Servizio 1", "Servizio 2", "Laboratorio di falegnameria"}
    assert (body["total"], body["page"], body["pages"], body["page_size"], body["origin"]) == (3, 1, 1, 20, None)
    for entry in (scene.expired, scene.suspended):
        assert get(client, scene, path=f"/api/v1/entities/{entry.id}")[0] == 404


def test_search_filters(client, scene):
    authority = scene.notice.procedure.authority

    def titles(query):
        status, body = get(client, scene, query)
        assert status == 200, body
        return {i["title"] for i in body["items"]}

    assert titles("axis=lavoro") == {"Laboratorio di falegnameria"}
    assert titles("target=serdp") == {"Laboratorio di falegnameria"}
    assert titles("target=adulti_csm") == {"Servizio 1", "Servizio 2"}
    assert titles("available_now=true") == {"Servizio 1", "Servizio 2"}
    assert titles("available_now=false") == {"Servizio 1", "Servizio 2", "Laboratorio di falegnameria"}
    assert titles("q=falegnameria") == {"Laboratorio di falegnameria"}
    assert titles("district=sud") == {"Servizio 1", "Servizio 2"}
    assert titles(f"comune={authority.districts[1].comuni[0].istat_code}") == {"Servizio 1", "Servizio 2"}
    assert titles("type=" + scene.valid.services[0].resource_type.code) == {"Servizio 1", "Servizio 2",
                                                                           "Laboratorio di falegnameria"}
    assert titles("page=2&page_size=2") == {"Laboratorio di falegnameria"}  # places free first
    status, body = get(client, scene, "page=9")
    assert status == 200 and body["items"] == [] and body["page"] == 9


def test_search_near_a_comune(client, app_ctx, session):
    from coprog.territory.services import BOLOGNA_PRESET, load_preset

    authority = load_preset(BOLOGNA_PRESET).authority
    session.flush()
    scene = build_scene(session, authority, services=1)
    here = scene.valid.services[0].comune
    status, body = get(client, scene, f"near_comune={here.istat_code}&radius_km=5")
    assert status == 200, body
    assert body["origin"]["istat"] == here.istat_code and body["origin"]["radius_km"] == 5
    assert body["items"] and all(i["distance_km"] is not None and i["distance_km"] <= 5 for i in body["items"])


def test_every_malformed_parameter_is_named(client, scene):
    query = ("axis=nessuno&type=nessuno&target=tutti&district=est&comune=000000&available_now=si&q=" + "x" * 201 +
             "&near_comune=12&radius_km=0&page=0&page_size=101")
    status, body = get(client, scene, query)
    assert status == 400
    assert body["status"] == 400 and body["message"]
    assert set(body["errors"]) == {"axis", "type", "target", "district", "comune", "available_now", "q",
                                   "near_comune", "radius_km", "page", "page_size"}
    assert body["errors"]["axis"] == "Valore non ammesso: usa uno di questi codici: abitare, lavoro."
    assert body["errors"]["available_now"] == "Indica true o false."
    assert body["errors"]["page_size"] == "Indica un numero intero da 1 a 100."
    for bad in ("page=1.5", "page=-1", "page=%2B1", "page=", "radius_km=1e2", "page_size=99999999999",
                "available_now=1", "axis=", "axis=abitare&axis=lavoro"):
        status, body = get(client, scene, bad)
        assert status == 400, bad
        assert len(body["errors"]) == 1, (bad, body)


def test_entity(client, scene):
    status, body = get(client, scene, path=f"/api/v1/entities/{scene.valid.id}")
    assert status == 200
    assert body["name"] == "Cooperativa Aurora" and body["list"]["slug"] == scene.notice.procedure.slug
    assert body["contacts"] == {"desk": "Sportello inserimenti", "email": "sportello@esempio.it",
                                "phone": "051 000000"}
    assert [s["title"] for s in body["services"]] == ["Servizio 1", "Servizio 2"]
    assert body["valid_until"] == scene.valid.valid_until.isoformat()
    for bad in ("abc", "0", "99999999999"):
        status, body = get(client, scene, path=f"/api/v1/entities/{bad}")
        assert status == 400 and "id" in body["errors"], bad
    status, body = get(client, scene, path="/api/v1/entities/2147483647")
    assert status == 404 and body == {"status": 404, "message": body["message"]}


def test_the_openapi_document(client, scene):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.0.3"
    assert document["components"]["securitySchemes"]["bearerAuth"] == {**document["components"]["securitySchemes"][
        "bearerAuth"], "type": "http", "scheme": "bearer"}
    parameters = {p["name"]: p["schema"] for p in document["paths"]["/services"]["get"]["parameters"]}
    assert parameters["axis"]["enum"] == ["abitare", "lavoro"]
    assert parameters["target"]["enum"] == ["adulti_csm", "minori_npia", "serdp"]
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert "near_comune" not in parameters  # no comune of this authority has a known point
    responses = document["paths"]["/services"]["get"]["responses"]
    assert set(responses) == {"200", "400", "401", "429"}
    assert set(document["paths"]["/entities/{id}"]["get"]["responses"]) == {"200", "400", "401", "404", "429"}


def test_api_errors_are_json(client, scene):
    for method, path in (("post", SERVICES), ("delete", f"/api/v1/entities/{scene.valid.id}"), ("get", "/api/v1/x")):
        response = getattr(client, method)(path, headers=bearer(scene.key))
        assert response.mimetype == "application/json" and response.status_code in (404, 405), (method, path)
    assert client.put(SERVICES).headers["Allow"]


# Staff pages of the keys ------------------------------------------------------------------------------


def test_staff_issue_and_revoke_a_key(client, login_as, session):
    staff = login_as(Role.STAFF)
    page = client.get(KEYS)
    assert page.status_code == 200 and "Nessuna chiave rilasciata" in page.get_data(as_text=True)
    token = csrf_token_from(page.get_data(as_text=True))
    issued = client.post(KEYS, data={"csrf_token": token, "name": "Cruscotto BdS"})
    assert issued.status_code == 201 and issued.headers["Cache-Control"] == "no-store"
    html = issued.get_data(as_text=True)
    row = session.scalar(select(ApiKey).where(ApiKey.name == "Cruscotto BdS"))
    key = html.split('id="new-key" class="form-control coprog-api-key" value="', 1)[1].split('"', 1)[0]
    assert digest(key) == row.key_sha256 and "mostrata solo questa volta" in html
    assert client.get(SERVICES, headers=bearer(key)).status_code == 200
    again = client.get(KEYS).get_data(as_text=True)
    assert key not in again and row.prefix in again  # shown once: the list has the prefix only

    confirm = client.get(f"{KEYS}/{row.id}/revoca")
    assert confirm.status_code == 200 and "Sì, revoca la chiave" in confirm.get_data(as_text=True)
    done = client.post(f"{KEYS}/{row.id}/revoca", data={"csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"].endswith(KEYS)
    assert client.get(SERVICES, headers=bearer(key)).status_code == 401
    session.expire_all()
    assert db.session.get(ApiKey, row.id).revoked_by_id == staff.id
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "ApiKey",
                                                              AuditEntry.object_id == row.id)).all()
    assert sorted(actions) == ["issue", "revoke"]


def test_staff_key_page_bad_input(client, login_as, session):
    login_as(Role.STAFF)
    token = csrf_token_from(client.get(KEYS).get_data(as_text=True))
    for name, message in (("", "Indica a quale sistema"), ("x" * 121, "Massimo 120 caratteri")):
        response = client.post(KEYS, data={"csrf_token": token, "name": name})
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert session.scalar(select(ApiKey.id)) is None  # nothing saved
    assert client.post(KEYS, data={"name": "Senza token"}).status_code == 400
    assert client.get(f"{KEYS}/999999/revoca").status_code == 404


@pytest.mark.parametrize("role", [None, Role.ETS, Role.CASE_MANAGER, Role.FACILITATOR, Role.INVITED_BODY])
def test_only_staff_manage_keys(client, login_as, session, role):
    row, _key = issue_key("Sistema", by=make_user(Role.STAFF))
    session.commit()
    login_as(role)
    for response in (client.get(KEYS), client.get(f"{KEYS}/{row.id}/revoca")):
        if role is None:
            assert response.status_code == 302 and "/accedi" in response.headers["Location"]
        else:
            assert response.status_code == 403
    session.expire_all()
    assert db.session.get(ApiKey, row.id).revoked_at is None


def test_last_used_is_written_at_most_once_a_minute(client, scene, session):
    row = key_row(session, scene.key)
    earlier = naive_utc(utcnow()) - timedelta(seconds=20)
    row.last_used_at = earlier
    session.commit()
    client.get(SERVICES, headers=bearer(scene.key))
    assert key_row(session, scene.key).last_used_at == earlier


def test_no_query_per_service(client, app_ctx, session):
    """The same number of statements for 2 services as for 8 (no N+1), in both APIs."""

    from coprog.core import cache
    from coprog.qualified.hsds import hsds_id

    small = build_scene(session, services=1)
    paths = lambda scene: [  # noqa: E731
        (SERVICES, bearer(scene.key)), (f"/api/v1/entities/{scene.valid.id}", bearer(scene.key)),
        ("/api/hsds/services", None), ("/api/hsds/organizations", None),
        (f"/api/hsds/services/{hsds_id('service', scene.valid.services[0].id)}", None)]
    for path, headers in paths(small):  # once first: the key's last_used_at is written on its first use
        client.get(path, headers=headers or {})
    cache.reset()
    before = [statements_of(client, path, headers) for path, headers in paths(small)]
    from ..factories import make_qualified_entry

    for _ in range(3):
        make_qualified_entry(small.notice, by=small.staff, services=2)
    for service in small.valid.services:
        service.comuni = list(small.notice.procedure.authority.districts[1].comuni)
    from coprog.qualified.services.entries import save_service

    for number in range(3):
        save_service(small.valid, {"title": f"Altro {number}", "axis_id": small.notice.procedure.authority.axes[0].id,
                                   "resource_type_id": small.valid.services[0].resource_type_id,
                                   "targets": ["adulti_csm"], "comune_id": small.valid.services[0].comune_id,
                                   "district_ids": [small.notice.procedure.authority.districts[0].id]}, by=small.staff)
    session.commit()
    cache.reset()
    after = [statements_of(client, path, headers) for path, headers in paths(small)]
    assert after == before
