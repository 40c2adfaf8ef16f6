"""Forms of the contributions: online (an ETS, a co-opted subject, an invited body, staff), at
the table (a facilitator from a Part 2 direction), and moderation.

Fields check their own format (numbers, dates, ids); which values are acceptable (the comune
of the district, the end after the start, a capacity not negative, a point inside the
territory, nobody collaborating with itself) is a rule of services/contributions.py, whose
problems the view puts beside these fields, all at once.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..actors.models import ActorKind
from ..notices.forms import MultiCheckboxField
from ..tables.services.minutes import ACTOR_NAME_MAX, NEW_ACTORS_MAX
from .models import OfferMode
from .services.contributions import ADDRESS_MAX, CAPACITY_NOTE_MAX, DESCRIPTION_MAX, REASON_MAX

LENGTH = _l("Massimo %(max)d caratteri.")
CHOOSE = _l("Scegliere dall'elenco.")
DATE = _l("Data non valida: indicarla come gg/mm/aaaa.")
NAMED_KIND_CHOICES = [
    SelectChoice(ActorKind.PUBLIC_SERVICE.value, _l("Servizi pubblici")),
    SelectChoice(ActorKind.OTHER.value, _l("Altri soggetti")),
]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _id(value):
    """An id from a form; "" (the "Scegli…" option) is None."""
    return None if value in ("", None) else int(value)


def _choice(label, message, **kwargs):
    """A select of ids; which ids are acceptable is a rule of the service."""
    validators = [InputRequired(message)] if message else [Optional()]
    return SelectField(label, coerce=_id, validators=validators, validate_choice=False,
                       invalid_value_message=CHOOSE, **kwargs)


def _text(label, max_length: int, *, required=None, area=False, rows=3, **kwargs):
    first = InputRequired(required) if required else Optional()
    if area:
        return TextAreaField(label, validators=[first, Length(max=max_length, message=LENGTH)], filters=[_strip],
                             render_kw={"rows": rows}, **kwargs)
    return StringField(label, validators=[first, Length(max=max_length, message=LENGTH)], filters=[_strip], **kwargs)


def whole_number(form, field) -> None:
    """Empty is None; otherwise a whole number (its sign is the service's rule)."""
    text = (field.raw_data[0] if field.raw_data else "").strip().replace(" ", "")
    field.data = None
    if text:
        try:
            field.data = int(text)
        except ValueError:
            raise ValidationError(_l("Indicare un numero intero, per esempio 12.")) from None


def decimal_degrees(form, field) -> None:
    """Empty is None; otherwise degrees with a decimal point or comma (e.g. 11,2262)."""
    text = (field.raw_data[0] if field.raw_data else "").strip().replace(",", ".")
    field.data = None
    if text:
        try:
            field.data = float(text)
        except ValueError:
            raise ValidationError(_l("Indicare un numero in gradi decimali, per esempio 11,2262.")) from None


class TypedText(StringField):
    """A number typed as text: shown again as typed (12,4964), not as the number read."""

    def _value(self):
        return self.raw_data[0] if self.raw_data else super()._value()


# Who (declared first: the fields of a form, and its summary of errors, follow this order) ----


class _OnlineActorFields:
    actor = SelectField(_l("Chi offre la risorsa"), validators=[InputRequired(_l("Indicare chi offre la risorsa."))],
                        validate_choice=False)
    collaborators = MultiCheckboxField(_l("Con chi collaborerebbe"), validate_choice=False,
                                       description=_l("Enti e soggetti che partecipano al procedimento."))
    new_collaborators = _text(
        _l("Altri soggetti con cui collaborerebbe, uno per riga"), (ACTOR_NAME_MAX + 10) * NEW_ACTORS_MAX, area=True,
        rows=2, description=_l("Se non sono nell'elenco: per esempio i servizi sociali di un Comune o un'impresa del territorio."),
    )
    new_collaborator_kind = RadioField(_l("I soggetti nominati sono"), choices=NAMED_KIND_CHOICES,
                                       default=ActorKind.PUBLIC_SERVICE.value, validate_choice=False)


class _TableActorFields:
    actors = MultiCheckboxField(
        _l("Soggetti della direzione che offrono la risorsa"), validate_choice=False,
        description=_l("Un contributo per ciascun soggetto spuntato; gli altri soggetti della direzione sono i suoi collaboratori."),
    )
    new_actors = _text(
        _l("Altri soggetti che offrono la risorsa, uno per riga"), (ACTOR_NAME_MAX + 10) * NEW_ACTORS_MAX, area=True,
        rows=2, description=_l("Se non sono tra quelli della direzione: ciascuno avrà il proprio contributo."),
    )
    new_actor_kind = RadioField(_l("I soggetti nominati sono"), choices=NAMED_KIND_CHOICES,
                                default=ActorKind.PUBLIC_SERVICE.value, validate_choice=False)


# What, where, how much -------------------------------------------------------------------------


class _ResourceFields:
    axis_id = _choice(_l("Asse"), _l("Scegliere l'asse."))
    resource_type_id = _choice(_l("Tipo di risorsa"), _l("Scegliere il tipo di risorsa."))
    description = _text(
        _l("Descrizione della risorsa"), DESCRIPTION_MAX, required=_l("Descrivere la risorsa."), area=True, rows=4,
        description=_l("Che cosa è messo in campo, per chi e a quali condizioni."),
    )
    offer_mode = RadioField(
        _l("Come è offerta"), choices=[SelectChoice(m.value, m.label) for m in OfferMode],
        validators=[InputRequired(_l("Scegliere come la risorsa è offerta."))], validate_choice=False,
    )
    district_id = _choice(_l("Distretto"), _l("Scegliere il distretto."))
    comune_id = _choice(_l("Comune"), None, description=_l("Facoltativo: i comuni del distretto scelto."))
    address = _text(_l("Indirizzo"), ADDRESS_MAX, description=_l("Via e numero civico, se la risorsa ha un luogo."))
    longitude = TypedText(_l("Longitudine"), validators=[decimal_degrees], render_kw={"inputmode": "decimal"},
                            description=_l("In gradi decimali, per esempio 11,2262."))
    latitude = TypedText(_l("Latitudine"), validators=[decimal_degrees], render_kw={"inputmode": "decimal"},
                           description=_l("In gradi decimali, per esempio 44,4745."))
    capacity = TypedText(_l("Capacità"), validators=[whole_number], render_kw={"inputmode": "numeric"},
                           description=_l("Quante persone, posti o ore; lasciare vuoto se non si applica."))
    capacity_note = _text(_l("Unità della capacità"), CAPACITY_NOTE_MAX,
                          description=_l("Per esempio posti letto, ore a settimana, persone."))
    available_from = DateField(_l("Disponibile dal"), validators=[Optional()], invalid_value_message=DATE)
    available_until = DateField(_l("Disponibile fino al"), validators=[Optional()], invalid_value_message=DATE)


class ContributionForm(_OnlineActorFields, _ResourceFields, FlaskForm):
    """Online: an ETS for itself or its co-opted subjects, an invited body, staff for anyone."""

    FIELDS: dict[str, str] = {}  # services/contributions.py field -> this form's field


class TableContributionForm(_TableActorFields, _ResourceFields, FlaskForm):
    """At the table: one contribution per actor who offers, from a Part 2 direction."""

    FIELDS = {"actor": "actors"}


# Moderation ------------------------------------------------------------------------------------

APPROVE, REJECT = "approva", "rifiuta"


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decisione"),
        choices=[SelectChoice(APPROVE, _l("Approva e pubblica")), SelectChoice(REJECT, _l("Non pubblicare"))],
        validators=[InputRequired(_l("Scegliere la decisione."))],
    )
    reason = _text(_l("Motivo"), REASON_MAX, area=True,
                   description=_l("Obbligatorio per non pubblicare: il contributore lo legge nell'e-mail e nella sua pagina."))


class WithdrawForm(FlaskForm):
    reason = _text(_l("Motivo del ritiro"), REASON_MAX, area=True,
                   required=_l("Indicare il motivo: il contributore lo leggerà."),
                   description=_l("Il contributo torna non pubblicato; il contributore lo legge nell'e-mail e può correggerlo."))
