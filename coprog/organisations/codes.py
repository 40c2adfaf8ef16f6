"""Codici fiscali: an entity's (11 digits, the partita IVA checksum) versus a person's (16 chars)."""

from __future__ import annotations

from flask_babel import gettext as _
from stdnum.exceptions import ValidationError
from stdnum.it import codicefiscale, iva


class CodeError(ValueError):
    """Why a code was refused, in Italian."""


def clean(code: str | None) -> str:
    return "".join((code or "").split()).upper()


def is_personal(code: str) -> bool:
    return len(clean(code)) == 16 and codicefiscale.is_valid(clean(code))


def entity_code(code: str | None) -> str:
    """The entity's 11-digit codice fiscale, or CodeError saying what is wrong with it."""
    value = clean(code)
    if not value:
        raise CodeError(_("Indica il codice fiscale dell'ente."))
    if is_personal(value):
        raise CodeError(
            _("Questo è il codice fiscale di una persona: serve quello dell'ente, di 11 cifre.")
        )
    if len(value) != 11 or not value.isdigit():
        raise CodeError(_("Il codice fiscale di un ente è fatto di 11 cifre."))
    try:
        return iva.validate(value)
    except ValidationError as error:
        raise CodeError(_("Codice fiscale non valido: la cifra di controllo non corrisponde.")) from error


def person_code(code: str | None) -> str:
    """A person's 16-character codice fiscale, validated."""
    value = clean(code)
    try:
        return codicefiscale.validate(value)
    except ValidationError as error:
        raise CodeError(_("Codice fiscale della persona non valido.")) from error


def entity_or_company_code(code: str | None) -> str | None:
    """For co-opted subjects and invited bodies: an 11-digit code or a person's, when given."""
    value = clean(code)
    if not value:
        return None
    if len(value) == 16:
        return person_code(value)
    return entity_code(value)
