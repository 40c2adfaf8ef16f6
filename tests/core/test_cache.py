"""Cached public pages: fresh after any change, bypassed for signed-in users, 304 on ETag."""

from coprog.core.roles import Role

from ..factories import make_notice


def test_anonymous_page_is_cached_and_invalidated_by_a_change(client, session):
    notice = make_notice(published=True, title="Primo titolo")
    session.commit()
    url = f"/avvisi/{notice.procedure.slug}"
    first = client.get(url)
    assert "Primo titolo" in first.get_data(as_text=True)
    assert first.headers["ETag"] and first.headers["Cache-Control"] == "no-cache"

    notice.title = "Secondo titolo"
    session.commit()
    assert "Secondo titolo" in client.get(url).get_data(as_text=True)


def test_etag_revalidation_gives_304(client, session):
    notice = make_notice(published=True)
    session.commit()
    url = f"/avvisi/{notice.procedure.slug}"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_non_public_changes_keep_the_cache(client, session):
    from coprog.core import cache

    make_notice(published=True)
    session.commit()
    version = cache.current_version()
    from ..factories import make_user

    make_user(Role.ETS)
    session.commit()
    cache.reset()
    assert cache.current_version() == version


def test_signed_in_users_get_fresh_pages(client, session, login_as):
    notice = make_notice(published=True)
    session.commit()
    login_as(Role.STAFF)
    response = client.get(f"/avvisi/{notice.procedure.slug}")
    assert "ETag" not in response.headers


def test_cache_can_be_turned_off(app, client, session):
    notice = make_notice(published=True)
    session.commit()
    app.config["COPROG_PAGE_CACHE"] = False
    try:
        assert "ETag" not in client.get(f"/avvisi/{notice.procedure.slug}").headers
    finally:
        app.config["COPROG_PAGE_CACHE"] = True


def test_a_cached_download_keeps_its_file_name_and_type(client, session):
    """The second request is served from the cache: still an attachment, still CSV."""
    notice = make_notice(published=True)
    session.commit()
    url = f"/dati/{notice.procedure.slug}/copertura.csv"
    first, second = client.get(url), client.get(url)
    assert first.headers["ETag"] == second.headers["ETag"]
    for response in (first, second):
        assert response.headers["Content-Disposition"].startswith("attachment; filename=")
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert first.get_data() == second.get_data()


def test_last_modified_is_the_last_public_change_and_only_the_etag_revalidates(client, session):
    from datetime import timedelta

    from werkzeug.http import http_date, parse_date

    from coprog.core.cache import last_modified
    from coprog.core.time import as_utc, utcnow

    notice = make_notice(published=True, title="Primo titolo")
    session.commit()
    url = f"/avvisi/{notice.procedure.slug}"
    first = client.get(url)
    stamp = parse_date(first.headers["Last-Modified"])
    assert abs(stamp - utcnow()) < timedelta(seconds=5)  # the notice was just published
    assert client.get(url).headers["Last-Modified"] == first.headers["Last-Modified"]  # nothing changed
    # a date alone cannot tell two versions of the same second apart: no 304 on it
    assert client.get(url, headers={"If-Modified-Since": http_date(utcnow() + timedelta(days=1))}).status_code == 200
    assert as_utc(last_modified()) >= stamp
