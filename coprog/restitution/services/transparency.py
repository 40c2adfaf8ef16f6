"""The public acts of a procedure, each with its date and the SHA-256 of the file it is published
as (the "Amministrazione trasparente" register of the procedure): the notice's documents, its
amendments, the admitted list, the published verbali, the synthesis as open data, the final
document.

Each digest is of the exact bytes its link serves. Generated files are hashed in their Italian
version (the language of the acts; their links carry `lang=it`). A verbale's PDF is made again
only when its content changed: its digest is remembered by a digest of the document it is made
from (the PDF is deterministic: same document, same bytes).
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from ...applications.admission import admitted_csv
from ...core.time import as_utc
from ...notices.models import Notice
from ...tables.minutes_document import build_document
from ...tables.minutes_pdf import minutes_pdf
from ...tables.services.minutes import published_minutes
from .final_document import published_document
from .public import synthesis_open_data
from .synthesis import published_synthesis

ACTS_LANGUAGE = "it"
REMEMBERED_DIGESTS = 2000


@dataclass(frozen=True)
class Act:
    kind: str  # avviso, rettifica, ammessi, verbale, sintesi, documento_finale
    title: str
    published_at: datetime
    url: str
    media_type: str
    size: int
    sha256: str


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def public_acts(notice: Notice) -> list[Act]:
    """Every public act of the procedure, oldest first."""
    if notice.published_at is None:
        return []
    with force_locale(ACTS_LANGUAGE):
        acts = [*_notice_documents(notice), *_amendments(notice), *_admitted(notice),
                *_verbali(notice), *_synthesis(notice), *_final_document(notice)]
    return sorted(acts, key=lambda act: (as_utc(act.published_at), act.kind, act.title))


def _notice_documents(notice: Notice) -> list[Act]:
    slug = notice.procedure.slug
    return [Act("avviso", attachment.title, attachment.added_at,
                url_for("notices.download", slug=slug, attachment_id=attachment.id),
                attachment.file.content_type, attachment.file.size, attachment.file.sha256)
            for attachment in notice.attachments]


def amendment_text(amendment) -> bytes:
    """A rettifica as the plain-text file the register links to (and hashes): in Italian,
    whatever the reader's language, so that its bytes are one."""
    with force_locale(ACTS_LANGUAGE):
        lines = [
            _("Rettifica n. %(number)d dell'avviso «%(title)s»", number=amendment.number, title=amendment.notice.title),
            _("Pubblicata il %(date)s", date=as_utc(amendment.created_at).isoformat()),
            "",
            _("Motivazione:"),
            amendment.reason,
        ]
        if amendment.changes:
            lines += ["", _("Modifiche:"), json.dumps(amendment.changes, ensure_ascii=False, indent=2, sort_keys=True)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _amendments(notice: Notice) -> list[Act]:
    slug = notice.procedure.slug
    return [Act("rettifica", _("Rettifica n. %(number)d", number=a.number), a.created_at,
                url_for("restitution.amendment_file", slug=slug, number=a.number), "text/plain",
                len(data := amendment_text(a)), _digest(data))
            for a in notice.amendments]


def _admitted(notice: Notice) -> list[Act]:
    if notice.admitted_published_at is None:
        return []
    data = admitted_csv(notice).encode("utf-8")
    return [Act("ammessi", _("Elenco dei soggetti ammessi"), notice.admitted_published_at,
                url_for("applications.admitted_open_data", slug=notice.procedure.slug, lang=ACTS_LANGUAGE), "text/csv",
                len(data), _digest(data))]


_minutes_digests: OrderedDict[str, tuple[int, str]] = OrderedDict()


def _pdf_digest(document) -> tuple[int, str]:
    """(size, SHA-256) of the verbale's PDF, made only for a document not seen before."""
    key = _digest(repr(document).encode("utf-8"))
    found = _minutes_digests.get(key)
    if found is None:
        data = minutes_pdf(document)
        found = _minutes_digests[key] = (len(data), _digest(data))
        if len(_minutes_digests) > REMEMBERED_DIGESTS:
            _minutes_digests.popitem(last=False)
    return found


def _verbali(notice: Notice) -> list[Act]:
    slug = notice.procedure.slug
    acts = []
    for minutes in published_minutes(notice.procedure_id).values():
        session = minutes.session
        document = build_document(session, minutes, public=True)
        size, digest = _pdf_digest(document)
        groups = ", ".join(g.name for g in session.groups)
        acts.append(Act("verbale", _("Verbale del tavolo %(axis)s – %(groups)s", axis=session.axis.name, groups=groups),
                        minutes.published_at or session.ends_at,  # stored published without its date: the meeting's
                        url_for("tables.public_minutes_pdf", slug=slug, session_id=session.id, lang=ACTS_LANGUAGE),
                        "application/pdf", size, digest))
    return acts


def synthesis_json_bytes(synthesis) -> bytes:
    """sintesi.json exactly as its endpoint serves it."""
    return current_app.json.response(synthesis_open_data(synthesis)).get_data()


def _synthesis(notice: Notice) -> list[Act]:
    synthesis = published_synthesis(notice.procedure)
    if synthesis is None:
        return []
    data = synthesis_json_bytes(synthesis)
    return [Act("sintesi", _("Sintesi della restituzione (dati aperti)"), synthesis.published_at,
                url_for("restitution.synthesis_json", slug=notice.procedure.slug), "application/json",
                len(data), _digest(data))]


def _final_document(notice: Notice) -> list[Act]:
    document = published_document(notice.procedure)
    if document is None or document.file is None:
        return []
    return [Act("documento_finale", _("Documento di sintesi"), document.published_at,
                url_for("restitution.public_final_document_pdf", slug=notice.procedure.slug),
                "application/pdf", document.file.size, document.file.sha256)]
