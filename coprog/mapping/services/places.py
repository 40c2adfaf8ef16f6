"""Placing a contribution: at its address when a Nominatim server is configured, else (and
whenever that fails) at its comune's representative point, read offline from the GeoJSON.

`locate` asks the server configured in COPROG_NOMINATIM_URL through geopy: at most one request
a second per process (Nominatim's usage policy), with the configured user agent and timeout,
never retried inside the request. Every answer, "nothing found" included, is kept in the
database (geocoded_addresses, keyed by the normalised query) so that each address is asked
once for all the workers. A server that fails or times out, an address it cannot find, or a
point outside the authority's territory (`Places.contains`) give the comune's point.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from sqlalchemy import select

from ...core.sql import insert_if_absent
from ...core.time import naive_utc, utcnow
from ...extensions import db
from ...territory.geo import comune_point, places_of
from ..models import GeocodedAddress, Placement

log = logging.getLogger(__name__)

# Nominatim's usage policy: "an absolute maximum of 1 request per second".
MIN_DELAY_SECONDS = 1.0


@dataclass(frozen=True)
class Location:
    """Where a contribution is drawn, and how precisely that is known."""

    longitude: float
    latitude: float
    placement: Placement


def comune_location(authority, comune) -> tuple[float, float] | None:
    """(longitude, latitude) of the comune's point, from the committed GeoJSON."""
    return comune_point(authority.slug, comune.istat_code) if comune is not None else None


def locate(authority, comune, address: str | None) -> Location | None:
    """The address's point when the configured Nominatim server finds it inside the territory;
    else the comune's point; None without a comune and without a precise point."""
    at_comune = comune_location(authority, comune)
    fallback = Location(*at_comune, Placement.COMUNE) if at_comune else None
    point = address_point(authority, comune, address)
    places = places_of(authority.slug)
    if point is None or (places is not None and not places.contains(*point)):
        return fallback
    return Location(round(point[0], 6), round(point[1], 6), Placement.ADDRESS)


def address_point(authority, comune, address: str | None) -> tuple[float, float] | None:
    """What the configured geocoder finds for the address, inside the territory or not; None
    without a geocoder, without an address, or when nothing is found."""
    query = normalised_query(address, comune)
    url = current_app.config.get("COPROG_NOMINATIM_URL")
    if not url or not query:
        return None
    places = places_of(authority.slug)
    return _geocode(url, query, bounds=places.bounds() if places else None)


def normalised_query(address: str | None, comune) -> str:
    """What is asked and cached: "via roma 1, casalecchio di reno, italia" (case and spacing
    do not make another query); empty without an address."""
    address = " ".join((address or "").split()).strip(" ,")
    if not address:
        return ""
    parts = [address, comune.name if comune is not None else "", "Italia"]
    return ", ".join(part for part in parts if part).casefold()


def _geocode(url: str, query: str, *, bounds) -> tuple[float, float] | None:
    """(longitude, latitude) for the query: from the cache, else from the server (and then
    cached); None when nothing is found or the server fails (a failure is not cached)."""
    cached = db.session.scalar(select(GeocodedAddress).where(GeocodedAddress.query == query))
    if cached is not None:
        return None if cached.longitude is None else (cached.longitude, cached.latitude)
    config = current_app.config
    ask = _rate_limited_geocoder(url, config["COPROG_NOMINATIM_USER_AGENT"], float(config["COPROG_NOMINATIM_TIMEOUT"]))
    options = {"exactly_one": True, "country_codes": "it"}
    if bounds is not None:
        min_lon, min_lat, max_lon, max_lat = bounds
        options.update(viewbox=[(min_lat, min_lon), (max_lat, max_lon)], bounded=True)
    try:
        found = ask(query, **options)
    except (GeopyError, OSError, ValueError) as error:
        log.warning("Nominatim at %s did not answer for %r: %s", url, query, error)
        return None
    point = (float(found.longitude), float(found.latitude)) if found is not None else None
    _remember(query, point)
    return point


def _remember(query: str, point: tuple[float, float] | None) -> None:
    """Keep the answer in the request's transaction; a concurrent worker may have kept it too."""
    connection = db.session.connection()
    longitude, latitude = point if point is not None else (None, None)
    connection.execute(insert_if_absent(
        connection, GeocodedAddress.__table__, query=query, longitude=longitude, latitude=latitude,
        created_at=naive_utc(utcnow()),
    ))


@lru_cache(maxsize=4)
def _rate_limited_geocoder(url: str, user_agent: str, timeout: float) -> RateLimiter:
    """One geocoder per server and settings, shared by the process's threads (the rate
    limiter holds a lock). No retry: the person submitting the form waits for one try only."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    nominatim = Nominatim(domain=parts.netloc + parts.path.rstrip("/"), scheme=parts.scheme,
                          user_agent=user_agent, timeout=timeout)
    return RateLimiter(nominatim.geocode, min_delay_seconds=MIN_DELAY_SECONDS, max_retries=0,
                       swallow_exceptions=False)
