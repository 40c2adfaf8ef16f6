"""The final document as PDF, from the same content as its HTML page (see
services/final_document.py); layout and blocks in core.pdf."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from ..core.pdf import SMALL, TITLE, DocumentPDF
from ..core.templating import rome_datetime
from ..core.time import as_utc
from .final_text import (
    day,
    moment,
    phase_names,
    provenance_text,
    section_title,
    short_day,
    source_text,
)


def final_document_pdf(content: dict, *, state, approved_at=None, published_at=None) -> bytes:
    procedure = content["procedure"]
    pdf = DocumentPDF(f"{procedure['authority']} – {_('Documento di sintesi')} – {state.label}")
    pdf.set_title(_("Documento di sintesi – %(title)s", title=procedure["title"]))
    pdf.set_author(procedure["authority"])
    pdf.set_subject(procedure["title"])
    pdf.set_creation_date(as_utc(published_at or approved_at or moment(content["generated_at"])))
    pdf.add_page()
    _header(pdf, content, approved_at, published_at)
    _phases(pdf, content)
    _participation(pdf, content)
    _sessions(pdf, content)
    _synthesis(pdf, content)
    return pdf.finish()


def _header(pdf: DocumentPDF, content: dict, approved_at, published_at) -> None:
    procedure = content["procedure"]
    pdf.text_block(procedure["authority"], size=SMALL)
    pdf.text_block(procedure["kind"], size=SMALL)
    pdf.ln(2)
    pdf.text_block(_("Documento di sintesi"), size=TITLE, style="B")
    pdf.text_block(procedure["title"], style="B")
    pdf.ln(2)
    pdf.label_value(_("Procedimento"), procedure["slug"])
    pdf.label_value(_("Base giuridica"), procedure["legal_basis"])
    pdf.label_value(_("Responsabile del procedimento"), procedure["rup"])
    pdf.label_value(_("Avviso pubblicato il"), day(procedure["published_at"]))
    pdf.label_value(_("Scadenza delle domande"), day(procedure["deadline_at"]))
    pdf.label_value(_("Avviso"), procedure["url"])
    pdf.label_value(_("Approvato il"), rome_datetime(approved_at))
    pdf.label_value(_("Pubblicato il"), rome_datetime(published_at))


def _phases(pdf: DocumentPDF, content: dict) -> None:
    pdf.heading(_("Fasi e tempi"))
    names = phase_names()
    pdf.bullets([f"{names[p['key']]}: {day(p['starts'])}" + (f" – {day(p['ends'])}" if p["ends"] else "")
                 for p in content["phases"] if p["starts"]], _("Nessuna fase registrata."))
    if content["timeline"]:
        pdf.ln(1)
        pdf.text_block(_("Le tappe"), style="B")
        pdf.bullets([f"{day(t['at'])} – {t['title']}" for t in content["timeline"]], "")
    pdf.heading(_("Enti ammessi"))
    pdf.text_block(ngettext("%(num)d ente ammesso.", "%(num)d enti ammessi.", len(content["admitted"])))
    pdf.bullets(content["admitted"], _("Elenco degli ammessi non ancora pubblicato."))


def _participation(pdf: DocumentPDF, content: dict) -> None:
    part = content["participation"]
    pdf.heading(_("Partecipanti per asse e categoria"))
    if not part["rows"]:
        pdf.text_block(_("Nessun incontro registrato."), size=SMALL)
        return
    header = [_("Asse"), _("Iscritti"), _("Presenti"), *part["categories"]]
    rows = [[r["axis"], str(r["registered"]), str(r["attended"]),
             *(f"{n} ({p} %)" for n, p in zip(r["by_category"], r["percent"], strict=True))] for r in part["rows"]]
    pdf.table_block([header, *rows], (2, 1.2, 1.2, *([2] * len(part["categories"]))))
    pdf.text_block(_("Conteggi dalle iscrizioni e dalle presenze registrate: %(registered)d iscritti, %(attended)d presenze.",
                     registered=part["registered"], attended=part["attended"]), size=SMALL)


def _sessions(pdf: DocumentPDF, content: dict) -> None:
    pdf.heading(_("Tavoli svolti"))
    if not content["sessions"]:
        pdf.text_block(_("Nessun incontro registrato."), size=SMALL)
        return
    header = [_("Data"), _("Turno"), _("Asse"), _("Tavoli"), _("Presenti"), _("Verbale")]
    rows = [[short_day(s["starts"]), s["shift"], s["axis"], ", ".join(s["groups"]), str(s["attended"]),
             _("pubblicato") if s["minutes_url"] else "–"] for s in content["sessions"]]
    pdf.table_block([header, *rows], (1.5, 1.4, 1.9, 3.2, 1.1, 1.3), numeric_from=4)


def _synthesis(pdf: DocumentPDF, content: dict) -> None:
    synthesis = content["synthesis"]
    pdf.heading(_("Sintesi"), keep=40)
    if synthesis is None:
        pdf.text_block(_("La sintesi non è pubblicata."), size=SMALL)
        return
    if synthesis["introduction"]:
        pdf.text_block(synthesis["introduction"])
    for section in synthesis["sections"]:
        pdf.heading(section_title(section), size=11, keep=30)
        for number, item in enumerate(section["items"], start=1):
            if pdf.will_page_break(20):
                pdf.add_page()
            pdf.text_block(f"{number}. {item['title']}", style="B")
            if item["description"]:
                pdf.text_block(item["description"])
            pdf.text_block(provenance_text(item), size=SMALL)
            pdf.bullets([source_text(s) for s in item["sources"]], "")
            pdf.ln(1.5)
