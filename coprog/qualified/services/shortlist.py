"""The shortlist (selezione) a case manager builds from the search to propose co-managers for a
PTRI: a list of service ids kept in the signed-in user's session, at most SHORTLIST_MAX.

It holds services only: nothing about the person cared for (coprog stores none), so the page
printed or the CSV exported can travel with the proposal. A service whose entry stopped being
valid (suspended, removed, expired) or that was deleted drops out, and the case manager is told.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from flask import session
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...applications.admission import spreadsheet_safe
from ...core.time import to_rome
from ...extensions import db
from ...registry.models import RuntsSection
from ..models import EntryService, QualifiedEntry
from .search import is_stale, valid_entries

SESSION_KEY = "qualified_shortlist"
SHORTLIST_MAX = 30


# The session ------------------------------------------------------------------------------------


def shortlist_ids() -> list[int]:
    """The ids in the session, in the order they were added (anything else there is ignored)."""
    raw = session.get(SESSION_KEY)
    if not isinstance(raw, list):
        return []
    ids = []
    for value in raw:
        if isinstance(value, int) and not isinstance(value, bool) and value not in ids:
            ids.append(value)
    return ids[:SHORTLIST_MAX]


def _store(ids: list[int]) -> None:
    session[SESSION_KEY] = ids[:SHORTLIST_MAX]


def is_full() -> bool:
    return len(shortlist_ids()) >= SHORTLIST_MAX


def add(service_id: int) -> bool:
    """Add the id (once); False when the shortlist is full."""
    ids = shortlist_ids()
    if service_id in ids:
        return True
    if len(ids) >= SHORTLIST_MAX:
        return False
    _store([*ids, service_id])
    return True


def remove(service_id: int) -> None:
    _store([i for i in shortlist_ids() if i != service_id])


# The services -----------------------------------------------------------------------------------


def _loaded(query):
    return query.options(
        selectinload(EntryService.entry).selectinload(QualifiedEntry.organisation),
        selectinload(EntryService.axis), selectinload(EntryService.resource_type),
        selectinload(EntryService.comune), selectinload(EntryService.districts),
        selectinload(EntryService.comuni),
    )


def valid_service(service_id: int | None, today: date | None = None) -> EntryService | None:
    """The service, if its entry is qualified and valid today (what the search shows)."""
    if service_id is None:
        return None
    query = (select(EntryService).join(QualifiedEntry, QualifiedEntry.id == EntryService.entry_id)
             .where(EntryService.id == service_id, valid_entries(today)))
    return db.session.scalar(_loaded(query))


@dataclass(frozen=True)
class Shortlist:
    services: list[EntryService]  # valid today, in the order they were added
    dropped: list[str]  # "service (entity)" of the ones that are no longer valid


def current(today: date | None = None) -> Shortlist:
    """The shortlist's valid services; the others are taken out of the session and named."""
    ids = shortlist_ids()
    if not ids:
        return Shortlist([], [])
    query = (select(EntryService).join(QualifiedEntry, QualifiedEntry.id == EntryService.entry_id)
             .where(EntryService.id.in_(ids), valid_entries(today)))
    valid = {s.id: s for s in db.session.scalars(_loaded(query))}
    gone = [i for i in ids if i not in valid]
    dropped = []
    if gone:
        still_there = {s.id: s for s in db.session.scalars(_loaded(select(EntryService).where(EntryService.id.in_(gone))))}
        for i in gone:
            service = still_there.get(i)
            dropped.append(f"{service.title} ({service.entry.organisation.name})" if service else
                           _("un servizio non più presente nell'elenco"))
        _store([i for i in ids if i in valid])
    return Shortlist([valid[i] for i in ids if i in valid], dropped)


# The CSV ----------------------------------------------------------------------------------------

CSV_HEADER = ("ente", "codice_fiscale", "sezione_runts", "servizio", "descrizione", "tipo", "asse", "destinatari",
              "distretti", "comuni", "indirizzo", "comune", "capacita", "posti_disponibili",
              "disponibilita_aggiornata_il", "disponibilita_non_aggiornata", "senza_barriere_architettoniche",
              "trasporto_pubblico", "note_accesso", "sportello", "email", "telefono", "pagina")


def runts_section_label(code: str | None) -> str:
    try:
        return RuntsSection(code).label
    except ValueError:
        return code or ""


def shortlist_csv(services: list[EntryService], page_url) -> str:
    """The shortlist as CSV for a spreadsheet: `;` separated, UTF-8 with a BOM (Excel reads
    the accents), every cell spreadsheet-safe (a title that looks like a formula stays text).
    `page_url(service)` gives the address of the entity's page."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_HEADER)
    for s in services:
        entry, organisation = s.entry, s.entry.organisation
        row = (
            organisation.name, organisation.codice_fiscale, runts_section_label(organisation.runts_section),
            s.title, s.description, s.resource_type.label, s.axis.name,
            ", ".join(str(t.short_label) for t in s.targets), ", ".join(d.name for d in s.districts),
            ", ".join(c.name for c in s.comuni), s.address, s.comune.name if s.comune else "",
            "" if s.capacity is None else s.capacity, "" if s.available is None else s.available,
            f"{to_rome(s.availability_updated_at):%Y-%m-%d}" if s.availability_updated_at else "", _("sì") if is_stale(s) else _("no"),
            _("sì") if s.step_free else _("no"), s.public_transport, s.access_notes,
            entry.contact_desk, entry.contact_email, entry.contact_phone, page_url(s),
        )
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()
