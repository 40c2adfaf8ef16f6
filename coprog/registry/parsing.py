"""Reading the values of the RUNTS list: column headers, sections, dates, codes (pure functions).

The Ministry's exact header strings are not confirmed, so columns are found by tolerant
matching: accents, case, punctuation, spacing and filler words ("di", "il", "n.", ...) are
ignored, then a header is compared with the known variants of each field, first whole, then
as a run of words inside a longer header ("Comune sede legale" is the comune). A header that
reads as two fields at once ("CF legale rappresentante") is ambiguous and ignored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from stdnum.it import codicefiscale, iva

from .models import RuntsSection


class RowError(ValueError):
    """A value that makes its row unusable; the message is the reason, in Italian."""


# Words ------------------------------------------------------------------------------------------

FILLER_WORDS = frozenset(
    {"di", "del", "della", "dei", "degli", "delle", "il", "lo", "la", "l", "al", "alla",
     "n", "nr", "num", "numero"}
)


@lru_cache(maxsize=4096)
def words(text: str) -> tuple[str, ...]:
    """Lower-case ASCII words without filler: "N. di Repertorio" -> ("repertorio",)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"(?<=\b[a-z])\.", "", text)  # initials: "C.F." -> "cf", "Prov." -> "prov"
    return tuple(w for w in re.findall(r"[a-z0-9]+", text) if w not in FILLER_WORDS)


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    size = len(needle)
    return any(haystack[i : i + size] == needle for i in range(len(haystack) - size + 1))


# Columns ----------------------------------------------------------------------------------------

FIELDS = (
    "codice_fiscale",
    "repertorio",
    "denominazione",
    "sezione",
    "legale_rappresentante",
    "rete_associativa",
    "comune",
    "provincia",
    "cinque_per_mille",
    "registered_on",
)
MANDATORY = ("codice_fiscale", "sezione", "registered_on")
# The columns of the Ministry's list as we expect them (the importer also accepts variants):
# what test files and the benchmark write.
MINISTRY_HEADER = (
    "Codice fiscale",
    "Repertorio",
    "Denominazione",
    "Sezione",
    "Legale rappresentante",
    "Rete associativa",
    "Comune",
    "Provincia",
    "5x1000",
    "Iscritto il",
)
FIELD_LABELS = {
    "codice_fiscale": "codice fiscale",
    "repertorio": "repertorio",
    "denominazione": "denominazione",
    "sezione": "sezione",
    "legale_rappresentante": "legale rappresentante",
    "rete_associativa": "rete associativa",
    "comune": "comune",
    "provincia": "provincia",
    "cinque_per_mille": "5x1000",
    "registered_on": "data di iscrizione",
}
HEADER_VARIANTS = {
    "codice_fiscale": ("codice fiscale", "cf", "cod fiscale", "codice fiscale ente", "c fiscale"),
    "repertorio": ("repertorio", "repertorio runts", "rep"),
    "denominazione": ("denominazione", "ragione sociale", "nome ente", "denominazione ente"),
    "sezione": ("sezione", "sezione runts", "sezione registro"),
    "legale_rappresentante": ("legale rappresentante", "rappresentante legale", "rappresentante"),
    "rete_associativa": ("rete associativa", "reti associative"),
    "comune": ("comune", "comune sede", "citta"),
    "provincia": ("provincia", "prov", "sigla provincia"),
    "cinque_per_mille": (
        "5x1000", "5 x 1000", "cinque per mille", "5 per mille", "5 per 1000", "5xmille",
    ),
    "registered_on": ("data iscrizione", "iscritto", "iscritta", "data iscrizione runts"),
}
_VARIANT_WORDS = {
    name: tuple(words(variant) for variant in variants)
    for name, variants in HEADER_VARIANTS.items()
}
_EXACT = {"".join(w): name for name, variants in _VARIANT_WORDS.items() for w in variants}


def header_field(header: str) -> str | None:
    """The field a header names exactly (ignoring case, accents, punctuation), or None."""
    return _EXACT.get("".join(words(header)))


def header_candidates(header: str) -> set[str]:
    """The fields whose variants appear as a run of words inside the header."""
    header_words = words(header)
    return {
        name
        for name, variants in _VARIANT_WORDS.items()
        if any(_contains(header_words, variant) for variant in variants)
    }


@dataclass
class ColumnMap:
    """Which column holds each field, and what could not be matched."""

    headers: list[str]
    indexes: dict[str, int] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)

    @property
    def width(self) -> int:
        return len(self.headers)

    @property
    def missing(self) -> list[str]:
        return [name for name in FIELDS if name not in self.indexes]

    @property
    def missing_mandatory(self) -> list[str]:
        return [name for name in MANDATORY if name not in self.indexes]

    def as_json(self) -> dict:
        return {
            "mapped": {name: self.headers[i] for name, i in self.indexes.items()},
            "missing": self.missing,
            "ignored": self.ignored,
        }


def map_columns(headers: list) -> ColumnMap:
    """Match the header row: exact variants first, then unambiguous partial matches."""
    texts = ["" if h is None else str(h).strip() for h in headers]
    columns = ColumnMap(texts)
    pending = []
    for index, text in enumerate(texts):
        name = header_field(text) if text else None
        if name and name not in columns.indexes:
            columns.indexes[name] = index
        elif text:
            pending.append(index)
    for index in pending:
        candidates = header_candidates(texts[index])
        name = next(iter(candidates)) if len(candidates) == 1 else None
        if name and name not in columns.indexes:
            columns.indexes[name] = index
        else:
            columns.ignored.append(texts[index])
    return columns


# Values -----------------------------------------------------------------------------------------

SECTION_VARIANTS = {
    RuntsSection.ODV: ("odv", "organizzazioni volontariato", "organizzazione volontariato"),
    RuntsSection.APS: (
        "aps", "associazioni promozione sociale", "associazione promozione sociale",
    ),
    RuntsSection.ENTI_FILANTROPICI: ("ef", "enti filantropici", "ente filantropico"),
    RuntsSection.IMPRESE_SOCIALI: (
        "is", "imprese sociali", "impresa sociale", "cooperative sociali", "cooperativa sociale",
    ),
    RuntsSection.RETI_ASSOCIATIVE: ("ra", "reti associative", "rete associativa"),
    RuntsSection.MUTUO_SOCCORSO: (
        "sms", "societa mutuo soccorso", "societa mutuo soccorso sms",
    ),
    RuntsSection.ALTRI_ENTI: (
        "altri enti", "altri enti terzo settore", "altro ente terzo settore", "altri ets",
    ),
}
_SECTION_WORDS = {
    section: tuple(words(v) for v in variants) for section, variants in SECTION_VARIANTS.items()
}
_SECTION_EXACT = {
    " ".join(w): section for section, variants in _SECTION_WORDS.items() for w in variants
}
_LETTERS = {section.value: section for section in RuntsSection}


@lru_cache(maxsize=1024)
def parse_section(value: str) -> RuntsSection | None:
    """A section from a letter ("a", "A)"), an acronym ("ODV") or a name; None if unknown."""
    found = tuple(w for w in words(value) if w != "sezione")
    if not found:
        return None
    if " ".join(found) in _SECTION_EXACT:
        return _SECTION_EXACT[" ".join(found)]
    if len(found[0]) == 1:  # "a", "A) Organizzazioni di volontariato", "sezione b - APS"
        return _LETTERS.get(found[0])
    matches = {
        section
        for section, variants in _SECTION_WORDS.items()
        for variant in variants
        if _contains(found, variant)
    }
    return matches.pop() if len(matches) == 1 else None


EXCEL_EPOCH = date(1899, 12, 30)
_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T]\S*)?")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\S*)?")


@lru_cache(maxsize=8192)
def _parse_date_text(text: str) -> date | None:
    match = _DAY_FIRST.fullmatch(text)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        match = _ISO.fullmatch(text)
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return None


def parse_date(value) -> date | None:
    """An Excel date/datetime or serial number, "dd/mm/yyyy", "dd-mm-yyyy" or ISO; else None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return EXCEL_EPOCH + timedelta(days=int(value)) if 1 <= value < 200_000 else None
    if isinstance(value, str):
        return _parse_date_text(value.strip())
    return None


_YES = frozenset({"si", "s", "sì", "x", "1", "true", "vero", "yes", "y", "ammesso", "iscritto"})
_NO = frozenset({"no", "n", "0", "false", "falso", "-", ""})


def parse_flag(value) -> bool | None:
    """The 5x1000 flag: yes/no words, 1/0, booleans; None when empty or not recognised."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if not text:
        return None
    if text in _YES or text.startswith(("iscritt", "ammess", "accreditat")):
        return True
    return False if text in _NO else None


_DOUBLED = bytes.maketrans(b"0123456789", b"0246813579")  # Luhn: 2 x digit, digits summed


def is_entity_code(code: str) -> bool:
    """The rule of `stdnum.it.iva.validate` on a compact code (11 digits, not all-zero serial,
    office code 001-100, 120, 121, 888 or 999, Luhn check digit), inlined for the import:
    stdnum's call takes ~5 µs a code, as long as all the other checks of a row together.
    A test checks that both agree; anything this rejects goes through stdnum for the reason."""
    if len(code) != 11 or not (code.isascii() and code.isdigit()) or code.startswith("0000000"):
        return False
    office = code[7:10]
    if not ("001" <= office <= "100" or office in ("120", "121", "888", "999")):
        return False
    digits = code.encode("ascii")
    return (sum(digits[10::-2]) + sum(digits[9::-2].translate(_DOUBLED)) - 48 * 11) % 10 == 0


def entity_code(value) -> str:
    """An entity's codice fiscale (11 digits, partita IVA checksum), or RowError with why not."""
    if value.__class__ is not str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = f"{int(value):011d}"  # Excel keeps codes as numbers, dropping a leading 0
        else:
            value = "" if value is None else str(value)
    code = value.strip().upper()
    if is_entity_code(code):
        return code
    code = code.replace(" ", "")
    if not code:
        raise RowError("codice fiscale mancante")
    if iva.is_valid(code):  # spaces inside, or an "IT" prefix: stdnum compacts it
        return iva.compact(code)
    if len(code) == 16 and codicefiscale.is_valid(code):
        raise RowError(
            f"codice fiscale {code} di persona fisica: serve il codice dell'ente (11 cifre)"
        )
    raise RowError(f"codice fiscale {code} non valido")


def entity_code_problem(value) -> str | None:
    """Why a value is not an entity's codice fiscale, or None when it is one."""
    try:
        entity_code(value)
    except RowError as exc:
        return str(exc)
    return None
