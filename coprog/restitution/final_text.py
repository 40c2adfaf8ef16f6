"""The words of the final document that both its HTML page and its PDF print, from its content
(a dict with ISO dates, see services/final_document.py)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext

from ..core.templating import long_date, short_date
from .models import ItemKind


def moment(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso) if iso else None


def day(iso: str | None) -> str:
    return long_date(moment(iso)) if iso else "–"


def short_day(iso: str | None) -> str:
    return short_date(moment(iso)) if iso else "–"


def phase_names() -> dict[str, str]:
    return {"preparatoria": _("Fase preparatoria"), "percorso": _("Percorso dei tavoli"),
            "restituzione": _("Restituzione")}


def section_title(section: dict) -> str:
    kind = str(ItemKind(section["kind"]).label)
    return f"{_('Asse %(axis)s', axis=section['axis'])} – {kind}" if section["axis"] else kind


def provenance_text(item: dict) -> str:
    return _("Emersa da %(tables)s e %(contributions)s.",
             tables=ngettext("%(num)d tavolo", "%(num)d tavoli", item["tables"]),
             contributions=ngettext("%(num)d contributo", "%(num)d contributi", item["contributions"]))


def source_text(source: dict) -> str:
    if source["kind"] == "session":
        return _("Tavolo %(axis)s – %(groups)s, %(day)s", axis=source["axis"],
                 groups=", ".join(source["groups"]), day=day(source["starts"]))
    return _("Contributo di %(actor)s (%(type)s)", actor=source["actor"], type=source["type"])


HELPERS = dict(day=day, short_day=short_day, moment=moment, phase_names=phase_names, provenance_text=provenance_text,
               section_title=section_title, source_text=source_text)
