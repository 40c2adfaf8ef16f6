"""Demo PDF documents, generated (fpdf2) so that the attachments are real PDFs."""

from __future__ import annotations

from fpdf import FPDF

# The PDF core fonts cover Latin-1: Italian letters are in it, typographic dashes and quotes not.
TYPOGRAPHIC = str.maketrans({"–": "-", "—": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "..."})


def latin1(text: str) -> str:
    return text.translate(TYPOGRAPHIC).encode("latin-1", "replace").decode("latin-1")


def demo_pdf(title: str, lines: list[str]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(latin1(title))
    pdf.set_creator("coprog (dati dimostrativi)")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 14)
    pdf.multi_cell(0, 8, latin1(title))
    pdf.ln(4)
    pdf.set_font("helvetica", size=11)
    for line in lines:
        pdf.multi_cell(0, 6, latin1(line))
        pdf.ln(2)
    pdf.set_font("helvetica", "I", 9)
    pdf.multi_cell(0, 5, "Documento dimostrativo generato da coprog: non ha valore legale.")
    return bytes(pdf.output())
