"""Forms of the synthesis editor; the limits are the service's own."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..notices.forms import REQUIRED
from .services.synthesis import DESCRIPTION_MAX, TITLE_MAX

LENGTH = _l("Massimo %(max)d caratteri.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ItemForm(FlaskForm):
    kind = HiddenField()
    axis_id = HiddenField()
    title = StringField(_l("Titolo della voce"), validators=[DataRequired(REQUIRED), Length(max=TITLE_MAX, message=LENGTH)],
                        filters=[_strip])
    description = TextAreaField(_l("Descrizione (facoltativa)"), validators=[Optional(), Length(max=DESCRIPTION_MAX, message=LENGTH)],
                                filters=[_strip], render_kw={"rows": 3})


class IntroductionForm(FlaskForm):
    introduction = TextAreaField(_l("Introduzione alla sintesi"), filters=[_strip], render_kw={"rows": 4},
                                 validators=[Optional(), Length(max=DESCRIPTION_MAX, message=LENGTH)],
                                 description=_l("Compare in testa alla restituzione pubblica."))


class SourceForm(FlaskForm):
    session_id = HiddenField()
    contribution_id = HiddenField()


class ActionForm(FlaskForm):
    """Move, delete, remove a source, approve, reopen: only the CSRF token."""


class PublishForm(FlaskForm):
    confirm = BooleanField(_l("Confermo la pubblicazione: la sintesi e le sue fonti diventano pubbliche."),
                           validators=[DataRequired(_l("Conferma la pubblicazione."))])


class FinalPublishForm(FlaskForm):
    confirm = BooleanField(_l("Confermo la pubblicazione: il documento finale diventa un atto pubblico, con la sua impronta SHA-256."),
                           validators=[DataRequired(_l("Conferma la pubblicazione."))])
