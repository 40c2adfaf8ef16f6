"""Placing an address: the comune's point offline; with COPROG_NOMINATIM_URL, a real HTTP server
on loopback that answers as Nominatim's /search does (JSON), asked once per address (the answer
is cached in the database), with the comune's point whenever it is slow, fails or answers
outside the territory."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from coprog.mapping.models import GeocodedAddress, Placement
from coprog.mapping.services.places import comune_location, locate, normalised_query
from coprog.territory.geo import places_of
from coprog.territory.models import Comune
from coprog.territory.services import BOLOGNA_PRESET, load_preset

CASALECCHIO_STATION = (11.27466, 44.47626)  # via Porrettana, Casalecchio di Reno
ROME = (12.49637, 41.90278)


class FakeNominatim(ThreadingHTTPServer):
    """Answers /search with the point set for the query's first word, after `delay` seconds;
    remembers what it was asked (path, query string, user agent)."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answers: dict[str, tuple[float, float] | None] = {}
        self.asked: list[dict] = []
        self.delay = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        server: FakeNominatim = self.server
        parts = urlsplit(self.path)
        params = {key: values[0] for key, values in parse_qs(parts.query).items()}
        server.asked.append({"path": parts.path, "params": params, "agent": self.headers.get("User-Agent")})
        time.sleep(server.delay)
        point = server.answers.get(params.get("q", "").split(" ")[0])
        body = [] if point is None else [{
            "place_id": 1, "licence": "Data © OpenStreetMap contributors, ODbL 1.0",
            "lat": str(point[1]), "lon": str(point[0]), "display_name": params["q"],
            "class": "place", "type": "house", "importance": 0.5,
        }]
        data = json.dumps(body).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test)

    def log_message(self, *args):
        pass


@pytest.fixture
def nominatim(app):
    server = FakeNominatim()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    saved = {key: app.config.get(key) for key in ("COPROG_NOMINATIM_URL", "COPROG_NOMINATIM_TIMEOUT",
                                                  "COPROG_NOMINATIM_USER_AGENT")}
    app.config.update(COPROG_NOMINATIM_URL=server.url, COPROG_NOMINATIM_TIMEOUT=0.5,
                      COPROG_NOMINATIM_USER_AGENT="coprog-test/1.0 (test@esempio.it)")
    yield server
    app.config.update(saved)
    server.shutdown()
    server.server_close()


@pytest.fixture
def bologna(app_ctx, session):
    authority = load_preset(BOLOGNA_PRESET).authority
    session.flush()
    return authority


def casalecchio(session) -> Comune:
    return session.scalar(select(Comune).where(Comune.name == "Casalecchio di Reno"))


def cached_rows(session) -> int:
    return session.scalar(select(func.count()).select_from(GeocodedAddress))


def test_offline_the_address_is_placed_at_its_comune(bologna, session):
    comune = casalecchio(session)
    place = locate(bologna, comune, "Via Porrettana 1")
    assert (place.longitude, place.latitude) == comune_location(bologna, comune)
    assert place.placement == Placement.COMUNE
    assert places_of("ausl-bologna").contains(place.longitude, place.latitude)
    assert locate(bologna, None, "Via Porrettana 1") is None


def test_nominatim_places_the_address_and_the_second_call_is_cached(bologna, session, nominatim):
    comune = casalecchio(session)
    nominatim.answers["via"] = CASALECCHIO_STATION
    place = locate(bologna, comune, "  Via   Porrettana 1 ")
    assert (place.longitude, place.latitude, place.placement) == (*CASALECCHIO_STATION, Placement.ADDRESS)
    [asked] = nominatim.asked
    assert asked["path"] == "/search"
    assert asked["params"]["q"] == "via porrettana 1, casalecchio di reno, italia"
    assert asked["params"]["format"] == "json" and asked["params"]["countrycodes"] == "it"
    assert asked["params"]["bounded"] == "1" and len(asked["params"]["viewbox"].split(",")) == 4
    assert asked["agent"] == "coprog-test/1.0 (test@esempio.it)"
    assert cached_rows(session) == 1

    # The same address, spelt differently: from the database, without asking (and without
    # waiting for the rate limiter's second).
    started = time.monotonic()
    again = locate(bologna, comune, "via PORRETTANA 1")
    assert time.monotonic() - started < 0.5
    assert again == place
    assert len(nominatim.asked) == 1
    assert cached_rows(session) == 1


def test_an_address_nominatim_does_not_know_is_cached_and_placed_at_the_comune(bologna, session, nominatim):
    comune = casalecchio(session)
    place = locate(bologna, comune, "Strada che non esiste 99")
    assert place.placement == Placement.COMUNE
    assert locate(bologna, comune, "Strada che non esiste 99") == place
    assert len(nominatim.asked) == 1
    row = session.scalar(select(GeocodedAddress))
    assert (row.query, row.longitude, row.latitude) == (normalised_query("Strada che non esiste 99", comune), None, None)


def test_a_slow_server_gives_the_comune_point_and_nothing_is_cached(bologna, session, nominatim):
    comune = casalecchio(session)
    nominatim.answers["via"] = CASALECCHIO_STATION
    nominatim.delay = 2.0  # the timeout is 0.5 s
    started = time.monotonic()
    place = locate(bologna, comune, "Via Porrettana 1")
    assert time.monotonic() - started < 1.8
    assert (place.longitude, place.latitude, place.placement) == (*comune_location(bologna, comune), Placement.COMUNE)
    assert cached_rows(session) == 0  # a failure is asked again next time


def test_a_server_that_is_down_gives_the_comune_point(bologna, session, app):
    comune = casalecchio(session)
    server = FakeNominatim()
    url = server.url
    server.server_close()  # nothing listens there any more
    app.config.update(COPROG_NOMINATIM_URL=url)
    try:
        place = locate(bologna, comune, "Via Porrettana 1")
    finally:
        app.config.update(COPROG_NOMINATIM_URL=None)
    assert place.placement == Placement.COMUNE
    assert cached_rows(session) == 0


def test_an_answer_outside_the_territory_gives_the_comune_point(bologna, session, nominatim):
    comune = casalecchio(session)
    nominatim.answers["piazza"] = ROME
    place = locate(bologna, comune, "Piazza Venezia 1")
    assert (place.longitude, place.latitude, place.placement) == (*comune_location(bologna, comune), Placement.COMUNE)
    assert cached_rows(session) == 1  # the answer is kept: asking again would give Rome again


def test_without_an_address_nothing_is_asked(bologna, session, nominatim):
    place = locate(bologna, casalecchio(session), "  ")
    assert place.placement == Placement.COMUNE
    assert nominatim.asked == []
