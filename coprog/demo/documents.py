"""Demo PDF documents, generated (fpdf2) so that the attachments are real PDFs."""

from __future__ import annotations

from fpdf import FPDF


def demo_pdf(title: str, lines: list[str]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("coprog (dati dimostrativi)")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 14)
    pdf.multi_cell(0, 8, title)
    pdf.ln(4)
    pdf.set_font("helvetica", size=11)
    for line in lines:
        pdf.multi_cell(0, 6, line)
        pdf.ln(2)
    pdf.set_font("helvetica", "I", 9)
    pdf.multi_cell(0, 5, "Documento dimostrativo generato da coprog: non ha valore legale.")
    return bytes(pdf.output())
