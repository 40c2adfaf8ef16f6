"""A service's place: with a geocoder, an address found outside the authority's territory is
refused with a clear message and nothing saved; one inside is placed at the address."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coprog.mapping.services.contributions import resource_types_of
from coprog.qualified.models import EntryService
from coprog.qualified.services.entries import EntryError, save_service

from ..factories import make_list_notice, make_qualified_entry
from ..mapping.test_places import CASALECCHIO_STATION, ROME, bologna, casalecchio, nominatim  # noqa: F401


def service_data(authority, comune, address) -> dict:
    return {"title": "Gruppo appartamento", "axis_id": authority.axes[0].id,
            "resource_type_id": resource_types_of(authority)[0].id, "targets": ["adulti_csm"],
            "comune_id": comune.id, "address": address, "capacity": 4, "available": 1}


def test_an_address_outside_the_territory_is_refused_and_one_inside_is_placed(bologna, session, nominatim):  # noqa: F811
    entry = make_qualified_entry(make_list_notice(bologna), services=0)
    comune = casalecchio(session)
    nominatim.answers["piazza"] = ROME
    with pytest.raises(EntryError) as refused:
        save_service(entry, service_data(bologna, comune, "Piazza Venezia 1"), by=None)
    assert refused.value.problems == {"address": "L'indirizzo è fuori dal territorio dell'azienda."}
    assert session.scalar(select(func.count()).select_from(EntryService)) == 0

    nominatim.answers["via"] = CASALECCHIO_STATION
    service = save_service(entry, service_data(bologna, comune, "Via Porrettana 1"), by=None)
    assert (service.longitude, service.latitude) == CASALECCHIO_STATION
