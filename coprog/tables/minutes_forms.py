"""Forms of the minutes editor. Many forms share one page, so each has its own prefix
(field ids stay unique); the limits are the services' own."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..actors.models import ActorKind
from ..notices.forms import REQUIRED, MultiCheckboxField
from .services.minutes import FINDING_MAX, HOW_MAX, NOTES_MAX, REASON_MAX, WHAT_MAX, WHO_MAX

LENGTH = _l("Massimo %(max)d caratteri.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _text(label, *, max_length: int, required: bool = False, rows: int = 3, description=None):
    first = DataRequired(REQUIRED) if required else Optional()
    return TextAreaField(label, validators=[first, Length(max=max_length, message=LENGTH)], filters=[_strip],
                         render_kw={"rows": rows}, description=description)


class FindingForm(FlaskForm):
    text = _text(_l("Testo della voce"), max_length=FINDING_MAX, required=True, rows=2)


class DirectionForm(FlaskForm):
    actors = MultiCheckboxField(_l("Soggetti del procedimento"), validate_choice=False)
    new_actors = _text(
        _l("Altri soggetti da nominare, uno per riga"), max_length=20 * 310, rows=2,
        description=_l("Per esempio i servizi sociali di un Comune o un'impresa del territorio."),
    )
    new_actor_kind = RadioField(
        _l("I soggetti nominati sono"),
        choices=[SelectChoice(ActorKind.PUBLIC_SERVICE.value, _l("Servizi pubblici")),
                 SelectChoice(ActorKind.OTHER.value, _l("Altri soggetti"))],
        default=ActorKind.PUBLIC_SERVICE.value, validate_choice=False,
    )
    who = _text(_l("Descrizione libera"), max_length=WHO_MAX, rows=2,
                description=_l("Chi altro può contribuire, in parole (per esempio «le società sportive del distretto»)."))
    what = _text(_l("Cosa può essere messo in campo"), max_length=WHAT_MAX, required=True)
    how = _text(_l("Come collaborare"), max_length=HOW_MAX)


class NotesForm(FlaskForm):
    notes = _text(_l("Testo delle note"), max_length=NOTES_MAX, rows=5,
                  description=_l("Per esempio i prossimi passi o come si è svolto l'incontro."))


class ApproveForm(FlaskForm):
    confirm = BooleanField(
        _l("Confermo che il verbale è completo: dopo l'approvazione non si può più modificare, salvo riaprirlo."),
        validators=[DataRequired(_l("Per approvare, spuntare la conferma."))],
    )


class ReopenForm(FlaskForm):
    reason = _text(_l("Motivo della riapertura"), max_length=REASON_MAX, required=True, rows=2,
                   description=_l("Resta nello storico del verbale."))


class PublishForm(FlaskForm):
    confirm = BooleanField(
        _l("Confermo la pubblicazione: il verbale diventa pubblico (con i soli conteggi, senza nomi di persone) e non si potrà più modificare."),
        validators=[DataRequired(_l("Per pubblicare, spuntare la conferma."))],
    )


class ActionForm(FlaskForm):
    """Delete and move buttons: only the CSRF token."""
