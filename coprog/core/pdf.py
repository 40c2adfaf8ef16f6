"""The PDF documents coprog writes (verbali, the final document), with fpdf2: a page layout and
the few blocks they are made of.

DejaVu Sans (vendored TTF, embedded as a subset) prints any Latin, Greek or Cyrillic text and
the usual typographic signs. Text typed by users is always written as literal text: no markdown,
no HTML, and no page-count alias (fpdf2 would replace "{nb}" in any text while the alias is on,
so it is switched on only to write the footer, and by `finish` for the last page).
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

# fontTools logs every subsetting step at INFO: not worth a line per PDF in the server's log
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

FONT = "DejaVu"
PAGE_ALIAS = "{nb}"
TEXT, SMALL, HEADING, TITLE = 10, 8.5, 12, 15
LINE = 5.2
LABEL_WIDTH = 48


def font_dir() -> Path:
    return Path(current_app.static_folder) / "vendor" / "fonts"


class DocumentPDF(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(format="A4")
        self.set_creator("coprog")
        self.set_lang("it")
        self.footer_text = footer_text
        self.str_alias_nb_pages = None
        fonts = font_dir()
        self.add_font(FONT, "", str(fonts / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(fonts / "DejaVuSans-Bold.ttf"))
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT, size=SMALL - 1)
        self.set_text_color(90)
        self.cell(0, 5, self.footer_text, new_x=XPos.LMARGIN, new_y=YPos.TOP)
        previous, self.str_alias_nb_pages = self.str_alias_nb_pages, PAGE_ALIAS
        self.cell(0, 5, _("Pagina %(page)s di %(total)s", page=self.page_no(), total=PAGE_ALIAS), align="R")
        self.str_alias_nb_pages = previous
        self.set_text_color(0)

    # Writing blocks ------------------------------------------------------------------------------

    def text_block(self, text: str, *, size: float = TEXT, style: str = "") -> None:
        self.set_font(FONT, style, size)
        self.multi_cell(0, LINE if size <= TEXT else size * 0.55, text, markdown=False, align="L",
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(self, text: str, *, size: float = HEADING, keep: float = 22) -> None:
        """A heading, on a new page unless `keep` mm of what follows fit below it."""
        if self.will_page_break(keep):
            self.add_page()
        self.ln(3)
        self.text_block(text, size=size, style="B")
        self.ln(1)

    def label_value(self, label: str, value: str) -> None:
        if not value:
            return
        self.set_font(FONT, "B", TEXT)
        height = self.multi_cell(LABEL_WIDTH, LINE, label, markdown=False, dry_run=True, output="HEIGHT")
        if self.will_page_break(height):
            self.add_page()
        top = self.get_y()
        self.multi_cell(LABEL_WIDTH, LINE, label, markdown=False, align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
        self.set_font(FONT, "", TEXT)
        self.multi_cell(0, LINE, value, markdown=False, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if self.get_y() >= top:  # the value did not move to a new page: clear the label too
            self.set_y(max(self.get_y(), top + height))

    def bullets(self, items: list[str], empty: str) -> None:
        if not items:
            self.text_block(empty, size=SMALL)
            return
        for item in items:
            self.set_font(FONT, "", TEXT)
            self.cell(5, LINE, "•")
            self.multi_cell(0, LINE, item, markdown=False, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(0.8)

    def table_block(self, rows: list[list[str]], widths: tuple, *, numeric_from: int = 1) -> None:
        """A table whose first row is the header; columns from `numeric_from` on align right."""
        self.set_font(FONT, "", SMALL)
        align = tuple("LEFT" if i < numeric_from else "RIGHT" for i in range(len(widths)))
        with self.table(col_widths=widths, text_align=align, line_height=LINE, markdown=False) as table:
            for row in rows:
                table.row(row)
        self.ln(1)

    def finish(self) -> bytes:
        """The bytes, once all user text is written: the last footer gets the page total."""
        self.str_alias_nb_pages = PAGE_ALIAS
        return bytes(self.output())

