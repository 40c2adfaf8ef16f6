"""The form of the search that case managers use: a GET form (results are bookmarkable), so a
plain WTForms `Form` read from the query string, without CSRF (it changes nothing).

Fields check their own format and that an id is one of the authority's (an unknown axis, a
radius out of range, a text too long get an Italian message beside the field); turning the
values into `search.Filters` (placing the address) is the view's job. The query-string names
are Italian, like the URLs: asse, tipo, destinatari, distretto, comune, disponibili, testo,
vicino, indirizzo, raggio (and pagina, read by the view).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Form, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from .models import Target
from .services.search import MAX_RADIUS_KM

TEXT_MAX = 200
ADDRESS_MAX = 200
DEFAULT_RADIUS_KM = 10
MIN_RADIUS_KM = 1
CHOOSE = _l("Scegli un valore dall'elenco.")
LENGTH = _l("Massimo %(max)d caratteri.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _id(value):
    """An id from the query string; "" (the "all" option) is None."""
    return None if value in ("", None) else int(value)


def _target(value):
    return None if value in ("", None) else Target(value)


def _select(label, **kwargs):
    return SelectField(label, coerce=_id, validators=[Optional()], invalid_value_message=CHOOSE,
                       invalid_choice_message=CHOOSE, **kwargs)


def radius(form, field) -> None:
    """Kilometres, with a decimal point or comma; empty is the default radius."""
    text = (field.raw_data[0] if field.raw_data else "").strip().replace(",", ".")
    field.data = float(DEFAULT_RADIUS_KM)
    if not text:
        return
    try:
        value = float(text)
    except ValueError:
        raise ValidationError(_l("Indica il raggio in chilometri con un numero, per esempio 10.")) from None
    if not MIN_RADIUS_KM <= value <= MAX_RADIUS_KM:  # NaN fails too
        raise ValidationError(_l("Indica un raggio tra %(min)d e %(max)d km.", min=MIN_RADIUS_KM, max=MAX_RADIUS_KM))
    field.data = value


class RadiusField(StringField):
    """Kilometres typed as text: shown again as typed ("12,5", "-5"), read as a number."""

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:g}" if isinstance(self.data, float) else str(self.data or "")


class SearchForm(Form):
    asse = _select(_l("Asse"))
    tipo = _select(_l("Tipo di servizio"))
    destinatari = SelectField(_l("Destinatari"), coerce=_target, validators=[Optional()],
                              invalid_value_message=CHOOSE, invalid_choice_message=CHOOSE)
    distretto = _select(_l("Distretto"))
    comune = _select(_l("Comune in cui il servizio è offerto"))
    disponibili = BooleanField(_l("Solo con posti disponibili ora"), render_kw={"value": "1"})
    testo = StringField(_l("Parole da cercare"), filters=[_strip],
                        validators=[Optional(), Length(max=TEXT_MAX, message=LENGTH)],
                        description=_l("Nel nome dell'ente, del servizio e nella descrizione; gli accenti "
                                       "non contano e una parola trova anche quelle che iniziano così "
                                       "(«appartament» trova «appartamenti»)."))
    vicino = _select(_l("Vicino a (comune)"))
    indirizzo = StringField(_l("Indirizzo nel comune (facoltativo)"), filters=[_strip],
                            validators=[Optional(), Length(max=ADDRESS_MAX, message=LENGTH)],
                            description=_l("Per esempio: via Ferrarese 10. Scegli anche il comune qui sopra."))
    raggio = RadiusField(_l("Entro (km)"), validators=[radius], default=str(DEFAULT_RADIUS_KM),
                         description=_l("Da %(min)d a %(max)d km; conta solo se indichi un comune.",
                                        min=MIN_RADIUS_KM, max=MAX_RADIUS_KM))

    def validate_indirizzo(self, field) -> None:
        if field.data and not self.vicino.data and not self.vicino.errors:
            raise ValidationError(_l("Un indirizzo senza comune non si può trovare: scegli il comune in «Vicino a»."))


def search_form(args, *, axes, types, districts) -> SearchForm:
    """The form read from the query string, with the authority's choices."""
    form = SearchForm(args)
    every = [("", _l("Tutti"))]
    form.asse.choices = every + [(str(a.id), a.name) for a in axes]
    form.tipo.choices = every + [(str(t.id), t.label) for t in types]
    form.destinatari.choices = every + [(t.value, t.label) for t in Target]
    form.distretto.choices = every + [(str(d.id), d.name) for d in districts]
    comuni = {d.name: [(str(c.id), c.name) for c in d.comuni] for d in districts}
    form.comune.choices = {None: [("", _l("Tutti i comuni"))], **comuni}
    form.vicino.choices = {None: [("", _l("Nessuno: non ordinare per distanza"))], **comuni}
    return form
