"""The final document (*documento di sintesi*) of a procedure, generated from its data.

Its content is a plain dict (JSON): computed from the data while the document is a draft, frozen
when it is approved (what was approved is what gets published, whatever changes later), and
rendered the same way by the HTML page and the PDF; its links are built on COPROG_BASE_URL (a
stored act must not carry the Host header of whoever approved it). Publication stores the PDF, whose SHA-256
the transparency page shows. No personal names: participants are counted by category, entities
and contributors are named as the public pages name them.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ...actors.services import public_name
from ...applications.admission import admitted
from ...core import files
from ...core.time import as_utc, naive_utc, utcnow
from ...extensions import db
from ...notices.models import Notice, Procedure
from ...notices.services import timeline
from ...notify.services import absolute_url
from ...tables.services.figures import axis_totals, participation, used_categories
from ...tables.services.minutes import published_minutes
from ..final_pdf import final_document_pdf
from ..models import FinalDocument, FinalDocumentState
from .public import SOURCE_DETAILS, phases
from .synthesis import load_sources, provenance, published_synthesis, sections

FORMAT_VERSION = 1
DOCUMENT_LANGUAGE = "it"  # the act is written in Italian, whatever the language of who approves it


class FinalDocumentError(ValueError):
    """A move the data do not allow yet (a message for staff, in Italian)."""


def document_of(procedure: Procedure, *, create: bool = False) -> FinalDocument | None:
    found = db.session.scalar(select(FinalDocument).where(FinalDocument.procedure_id == procedure.id))
    if found is None and create:
        found = FinalDocument(procedure=procedure)
        db.session.add(found)
        db.session.flush()
    return found


def published_document(procedure: Procedure) -> FinalDocument | None:
    found = document_of(procedure)
    return found if found is not None and found.is_published else None


def content_of(document: FinalDocument) -> dict:
    """The frozen content once approved, the live one while a draft."""
    return document.content if document.content is not None else build_content(document.procedure.notice)


# Building the content ----------------------------------------------------------------------------


def _iso(moment) -> str | None:
    return as_utc(moment).isoformat() if moment is not None else None


def build_content(notice: Notice) -> dict:
    procedure = notice.procedure
    synthesis = published_synthesis(procedure)
    figures = participation(procedure)
    return {
        "format": FORMAT_VERSION,
        "generated_at": _iso(utcnow()),
        "procedure": _procedure_part(notice),
        "phases": [{"key": p.key, "starts": _iso(p.starts), "ends": _iso(p.ends)} for p in phases(notice, synthesis)],
        "timeline": [{"at": _iso(t.at), "title": str(t.title)} for t in timeline(notice) if t.past and not t.internal],
        "admitted": [a.organisation.name for a in admitted(notice)] if notice.admitted_published_at else [],
        "participation": _participation_part(figures),
        "sessions": _sessions_part(procedure, figures),
        "synthesis": _synthesis_part(synthesis) if synthesis is not None else None,
    }


def _procedure_part(notice: Notice) -> dict:
    procedure = notice.procedure
    return {
        "slug": procedure.slug, "title": notice.title, "authority": procedure.authority.name,
        "kind": str(procedure.kind.label), "legal_basis": notice.legal_basis, "summary": notice.summary,
        "rup": ", ".join(part for part in (notice.rup_name, notice.rup_role) if part),
        "published_at": _iso(notice.published_at), "deadline_at": _iso(notice.deadline_at),
        "url": absolute_url("notices.detail", slug=procedure.slug),
    }


def _participation_part(figures) -> dict:
    """Per axis, registered and attended, attended by category with its share (no names)."""
    categories = used_categories(figures)
    rows = []
    for total in axis_totals(figures):
        attended = total["attended"]
        rows.append({
            "axis": total["axis"].name, "registered": total["registered"], "attended": attended,
            "by_category": [total["by_category"][c.id] for c in categories],
            "percent": [round(100 * total["by_category"][c.id] / attended) if attended else 0 for c in categories],
        })
    return {"categories": [c.stored_label for c in categories], "rows": rows,
            "registered": sum(r["registered"] for r in rows), "attended": sum(r["attended"] for r in rows)}


def _sessions_part(procedure: Procedure, figures) -> list[dict]:
    """The tables held: date, shift, axis, groups, attendance, the public verbale if any."""
    published = published_minutes(procedure.id)
    return [{
        "id": item.session.id, "axis": item.session.axis.name, "starts": _iso(item.session.starts_at),
        "ends": _iso(item.session.ends_at), "shift": str(item.session.shift.label),
        "groups": [g.name for g in item.session.groups], "registered": item.registered(),
        "attended": item.attended(),
        "minutes_url": absolute_url("tables.public_minutes", slug=procedure.slug, session_id=item.session.id) if item.session.id in published else None,
    } for item in figures]


def _synthesis_part(synthesis) -> dict:
    slug = synthesis.procedure.slug
    load_sources(synthesis, *SOURCE_DETAILS)
    return {
        "published_at": _iso(synthesis.published_at), "introduction": synthesis.introduction,
        "sections": [{
            "kind": section.kind.value, "axis": section.axis.name if section.axis else None,
            "items": [_item_part(slug, item) for item in section.items],
        } for section in sections(synthesis) if section.items],
    }


def _item_part(slug: str, item) -> dict:
    found = provenance(item)
    sessions = sorted((s.session for s in item.sources if s.session is not None), key=lambda s: s.starts_at)
    contributions = sorted((s.contribution for s in item.sources if s.contribution is not None), key=lambda c: c.id)
    return {
        "title": item.title, "description": item.description,
        "tables": found.tables, "contributions": found.contributions,
        "url": absolute_url("restitution.public_item", slug=slug, item_id=item.id),
        "sources": [
            *({"kind": "session", "axis": s.axis.name, "starts": _iso(s.starts_at),
               "groups": [g.name for g in s.groups]} for s in sessions),
            *({"kind": "contribution", "actor": public_name(c.actor),
               "type": c.resource_type.stored_label} for c in contributions),
        ],
    }


# States ------------------------------------------------------------------------------------------


def move_document(document: FinalDocument, to: FinalDocumentState, *, by, now=None) -> None:
    """Approve (freezes the content; needs the published synthesis), publish (stores the PDF),
    reopen (back to a draft computed from the data; the withdrawn PDF is dropped)."""
    procedure = document.procedure
    if to == FinalDocumentState.APPROVED and published_synthesis(procedure) is None:
        raise FinalDocumentError(_("Prima si pubblica la sintesi: il documento finale la riporta."))
    document.move(to, by=by, now=now)
    if to == FinalDocumentState.APPROVED:
        with force_locale(DOCUMENT_LANGUAGE):
            content = build_content(procedure.notice)
        document.content = {**content, "generated_at": _iso(document.approved_at)}
    elif to == FinalDocumentState.PUBLISHED:
        _store_pdf(document, by=by)
    else:
        document.content = None
        if document.file is not None:
            db.session.delete(document.file)
            document.file = None


def _store_pdf(document: FinalDocument, *, by) -> None:
    with force_locale(DOCUMENT_LANGUAGE):
        data = final_document_pdf(document.content, state=document.state,
                                  approved_at=document.approved_at, published_at=document.published_at)
    filename = f"documento-di-sintesi-{document.procedure.slug}.pdf"
    document.file = files.store(filename, data, "application/pdf", by=by)
    document.file.uploaded_at = naive_utc(document.published_at or utcnow())
