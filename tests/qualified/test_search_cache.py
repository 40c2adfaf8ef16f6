"""The search asked again comes from memory (core.cache.personal_page, shared_answer), and never
a stale, someone else's or unauthorised answer: a change to the list shows at once, each user
and each shortlist has its own page, each session its own CSRF token, a revoked key gets 401."""

# ruff: noqa: F811 (the scene's fixtures come from test_search_views)

from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import select

from coprog.core.roles import Role
from coprog.qualified.api_keys import revoke_key
from coprog.qualified.models import ApiKey

from ..conftest import PASSWORD, csrf_token_from
from ..dbutil import statements_run
from ..factories import make_user
from .api_helpers import bearer, build_scene
from .test_search_views import (  # noqa: F401
    HTMX,
    SEARCH,
    SHORTLIST,
    bologna,
    case_manager,
    ids_in,
    notice,
    offer,
    scene,
    sid,
)

HOUSING_NOW = {"asse": "", "disponibili": "1"}


def shown_the_welcome(client) -> None:
    """A page with a message to show is never kept: the sign-in's message is shown first."""
    client.get("/")


@pytest.fixture
def signed_in(client, case_manager):
    shown_the_welcome(client)
    return case_manager


def test_the_same_search_again_comes_from_memory_until_the_list_changes(app, client, signed_in, scene, session):
    first = client.get(SEARCH, query_string=HOUSING_NOW)
    assert first.status_code == 200 and sid(scene, "navile") in ids_in(first.get_data(as_text=True))
    assert first.headers["Cache-Control"] == "private, no-cache" and first.headers["ETag"]
    with statements_run(app) as statements:
        again = client.get(SEARCH, query_string=HOUSING_NOW)
    assert again.get_data() == first.get_data()
    reads = [statement for statement in statements if statement.startswith("SELECT")]
    assert len(reads) <= 2 and not any("entry_services" in read for read in reads), reads  # the user, the version
    revalidated = client.get(SEARCH, query_string=HOUSING_NOW, headers={"If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304 and not revalidated.data

    scene["navile"].services[0].available = 0  # what the ETS's availability form does
    session.commit()
    changed = client.get(SEARCH, query_string=HOUSING_NOW, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    assert sid(scene, "navile") not in ids_in(changed.get_data(as_text=True))


def test_the_htmx_fragment_and_the_whole_page_are_kept_apart(client, signed_in, scene):
    whole = client.get(SEARCH, query_string=HOUSING_NOW).get_data(as_text=True)
    fragment = client.get(SEARCH, query_string=HOUSING_NOW, headers=HTMX).get_data(as_text=True)
    assert "<html" in whole and "<html" not in fragment
    assert "<html" in client.get(SEARCH, query_string=HOUSING_NOW).get_data(as_text=True)


def test_each_user_and_each_shortlist_has_its_own_page(client, login_as, signed_in, scene):
    button = f'id="selezione-{sid(scene, "navile")}-pulsante"'
    html = unescape(client.get(SEARCH, query_string=HOUSING_NOW).get_data(as_text=True))
    assert signed_in.full_name in html and "Aggiungi alla selezione" in html.split(button)[1][:400]
    token = csrf_token_from(html)
    added = client.post(f"{SHORTLIST}/aggiungi", data={"csrf_token": token, "servizio": sid(scene, "navile")},
                        headers=HTMX)
    assert added.status_code == 200
    html = unescape(client.get(SEARCH, query_string=HOUSING_NOW).get_data(as_text=True))
    assert "Togli dalla selezione" in html.split(button)[1][:400]
    other = login_as(Role.CASE_MANAGER, full_name="Secondo Case Manager")
    shown_the_welcome(client)
    html = unescape(client.get(SEARCH, query_string=HOUSING_NOW).get_data(as_text=True))
    assert other.full_name in html and signed_in.full_name not in html
    assert "Aggiungi alla selezione" in html.split(button)[1][:400]


def test_two_sessions_of_one_user_each_get_a_token_of_their_own(app, client, session, scene):
    user = make_user(Role.CASE_MANAGER, password=PASSWORD)
    session.commit()
    browsers = [client, app.test_client()]
    for browser in browsers:
        token = csrf_token_from(browser.get("/accedi").get_data(as_text=True))
        signed = browser.post("/accedi", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
        assert signed.status_code == 302
        shown_the_welcome(browser)
    pages = [browser.get(SEARCH, query_string=HOUSING_NOW).get_data(as_text=True) for browser in browsers]
    for browser, html in zip(browsers, pages, strict=True):
        added = browser.post(f"{SHORTLIST}/aggiungi", headers=HTMX,
                             data={"csrf_token": csrf_token_from(html), "servizio": sid(scene, "navile")})
        assert added.status_code == 200, "a page kept for one session carried a token of another"


def test_the_api_answer_is_shared_but_the_key_is_checked_each_time(client, session):
    world = build_scene(session)
    first = client.get("/api/v1/services", headers=bearer(world.key))
    again = client.get("/api/v1/services", headers=bearer(world.key))
    assert first.status_code == again.status_code == 200 and again.get_json() == first.get_json()
    assert again.headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/services").status_code == 401
    row = session.scalar(select(ApiKey))
    revoke_key(row, by=world.staff)
    session.commit()
    assert client.get("/api/v1/services", headers=bearer(world.key)).status_code == 401


def test_a_change_shows_at_once_in_the_api(client, session):
    world = build_scene(session)
    before = client.get("/api/v1/services", headers=bearer(world.key)).get_json()
    world.other.services[0].available = 7
    session.commit()
    after = client.get("/api/v1/services", headers=bearer(world.key)).get_json()
    changed = {item["id"]: item["available"] for item in after["items"]}
    assert changed != {item["id"]: item["available"] for item in before["items"]}
    assert 7 in changed.values()
