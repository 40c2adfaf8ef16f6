"""Reading the list for the exports and the APIs: the services valid today, eager-loaded, and the
public CSV of a list (/dati/<slug>/elenco-qualificati.csv).

The public CSV has one row per service of an entry valid today, with what the public may know of
it: the entity (name, codice fiscale, RUNTS section), the service, its axis, type, targets,
comune, the districts and comuni it covers, its capacity and the entry's validity. No contacts,
no street address, no availability (that is for case managers and changes daily).
"""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..applications.admission import spreadsheet_safe
from ..extensions import db
from ..organisations.models import Organisation
from ..territory.models import Comune
from .hsds import TARGET_NAMES, runts_section_name
from .models import EntryService, QualifiedEntry
from .services.search import valid_entries

CSV_HEADER = ("ente", "codice_fiscale", "sezione_runts", "servizio", "asse", "tipo", "destinatari", "comune",
              "distretti", "comuni", "capacita", "valido_dal", "valido_fino_al")


def loaded(query):
    """Everything a service's API answer reads, in a fixed number of queries."""
    return query.options(
        selectinload(EntryService.entry).selectinload(QualifiedEntry.organisation),
        selectinload(EntryService.entry).selectinload(QualifiedEntry.procedure),
        selectinload(EntryService.axis), selectinload(EntryService.resource_type),
        selectinload(EntryService.comune).selectinload(Comune.district),
        selectinload(EntryService.districts), selectinload(EntryService.comuni),
    )


def valid_services(*conditions, today: date | None = None):
    """SELECT of the services of entries valid today (and `conditions`), by entity and id."""
    return (select(EntryService)
            .join(QualifiedEntry, QualifiedEntry.id == EntryService.entry_id)
            .join(Organisation, Organisation.id == QualifiedEntry.organisation_id)
            .where(valid_entries(today), *conditions)
            .order_by(Organisation.name, EntryService.id))


def count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def list_csv(procedure, *, today: date | None = None) -> str:
    """The public CSV of a list: `;` separated (as Italian spreadsheets expect), every cell safe
    from formula injection."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_HEADER)
    query = loaded(valid_services(QualifiedEntry.procedure_id == procedure.id, today=today))
    for s in db.session.scalars(query):
        entry, org = s.entry, s.entry.organisation
        section = f"{org.runts_section}) {runts_section_name(org.runts_section)}" if org.runts_section else ""
        row = (
            org.name, org.codice_fiscale, section, s.title, s.axis.name, s.resource_type.stored_label,
            ", ".join(TARGET_NAMES[t] for t in s.targets), s.comune.name if s.comune else "",
            ", ".join(d.name for d in s.districts), ", ".join(c.name for c in s.comuni),
            "" if s.capacity is None else s.capacity,
            entry.valid_from.isoformat() if entry.valid_from else "",
            entry.valid_until.isoformat() if entry.valid_until else "",
        )
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()
