"""The verbale as PDF, from the same MinutesDocument as the HTML pages (layout and blocks in
core.pdf)."""

from __future__ import annotations

from flask_babel import gettext as _

from ..core.pdf import SMALL, TITLE, DocumentPDF
from ..core.templating import long_date, rome_datetime
from ..core.time import as_utc
from .minutes_document import MinutesDocument


def _when(doc: MinutesDocument) -> str:
    return f"{long_date(doc.starts_at)}, {rome_datetime(doc.starts_at, 'HH:mm')}–{rome_datetime(doc.ends_at, 'HH:mm')}"


def document_title(doc: MinutesDocument) -> str:
    return _("Verbale del tavolo %(axis)s – %(groups)s, %(day)s", axis=doc.axis, groups=doc.groups_text,
             day=rome_datetime(doc.starts_at, "d MMMM y"))


def minutes_pdf(doc: MinutesDocument, *, compress: bool = True) -> bytes:
    title = document_title(doc)
    state = _("Verbale pubblico") if doc.public else _("Stato: %(state)s", state=doc.state.label)
    pdf = DocumentPDF(f"{doc.authority} – {state}")
    pdf.set_compression(compress)
    pdf.set_title(title)
    pdf.set_author(doc.authority)
    pdf.set_subject(doc.procedure_title)
    moment = doc.published_at or doc.approved_at or doc.updated_at or doc.starts_at
    pdf.set_creation_date(as_utc(moment))  # the document's own date: the same bytes every time
    pdf.add_page()
    _header(pdf, doc, title)
    _attendance(pdf, doc)
    _part_one(pdf, doc)
    _part_two(pdf, doc)
    if doc.notes:
        pdf.heading(_("Note"))
        pdf.text_block(doc.notes)
    return pdf.finish()


def _header(pdf: DocumentPDF, doc: MinutesDocument, title: str) -> None:
    pdf.text_block(doc.authority, size=SMALL)
    if doc.procedure_title:
        pdf.text_block(doc.procedure_title, size=SMALL)
    pdf.ln(2)
    pdf.text_block(title, size=TITLE, style="B")
    pdf.ln(2)
    pdf.label_value(_("Asse"), doc.axis)
    pdf.label_value(_("Tavoli"), doc.groups_text)
    pdf.label_value(_("Incontro"), doc.title)
    pdf.label_value(_("Data e orario"), _when(doc))
    pdf.label_value(_("Turno"), doc.shift)
    pdf.label_value(_("Luogo"), doc.place)
    pdf.label_value(_("Collegamento"), doc.online_url)
    if not doc.public:
        pdf.label_value(_("Facilitatori"), ", ".join(doc.facilitators) or _("non indicati"))
    pdf.label_value(_("Stato"), str(doc.state.label))
    pdf.label_value(_("Approvato il"), rome_datetime(doc.approved_at))
    pdf.label_value(_("Pubblicato il"), rome_datetime(doc.published_at))


def _attendance(pdf: DocumentPDF, doc: MinutesDocument) -> None:
    pdf.heading(_("Partecipanti effettivi per categoria"))
    header = [_("Categoria"), *doc.attendance_groups, _("Presenti")]
    rows = [[row.label, *(str(n) for n in row.by_group), str(row.total)] for row in doc.attendance]
    total = [_("Totale"), *(str(n) for n in doc.group_totals), str(doc.attended)]
    pdf.table_block([header, *rows, total], (3, *([2] * len(doc.attendance_groups)), 1.4))
    pdf.text_block(_("Iscritti: %(registered)d. Presenti: %(attended)d (conteggi dalle iscrizioni e dalle presenze registrate).",
                     registered=doc.registered, attended=doc.attended), size=SMALL)


def _part_one(pdf: DocumentPDF, doc: MinutesDocument) -> None:
    pdf.heading(_("Parte 1 – Analisi dello stato attuale"))
    for kind, texts in doc.findings:
        pdf.text_block(str(kind.label), style="B")
        pdf.bullets(texts, _("Nessuna voce."))
        pdf.ln(1)


def _part_two(pdf: DocumentPDF, doc: MinutesDocument) -> None:
    pdf.heading(_("Parte 2 – Direzioni di innovazione"), keep=45)
    if not doc.directions:
        pdf.text_block(_("Nessuna direzione."), size=SMALL)
    for number, item in enumerate(doc.directions, start=1):
        if pdf.will_page_break(30):
            pdf.add_page()
        pdf.ln(1)
        pdf.text_block(_("Direzione %(n)d", n=number), style="B")
        pdf.ln(0.5)
        who = "; ".join(item.actors)
        if item.who:
            who = f"{who}\n{item.who}" if who else item.who
        pdf.label_value(_("Chi può contribuire"), who or "–")
        pdf.label_value(_("Cosa può essere messo in campo"), item.what)
        pdf.label_value(_("Come collaborare"), item.how or "–")
        pdf.ln(2)
