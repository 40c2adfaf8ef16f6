"""The walk-in form of the door page: someone not registered, added and marked present.

The group and the category are chosen among the session's and the procedure's; a value posted
outside them is refused with an Italian message beside the field, so WTForms' own choice
checks (English messages) are off.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..notices.forms import REQUIRED
from .models import TableSession

LENGTH = _l("Massimo %(max)d caratteri.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _no_markup(form, field) -> None:
    """No person's name has < or >: refused rather than stored. (gettext, not the lazy one: a
    lazy string is marked safe for Jinja and its "<" would reach the page unescaped.)"""
    if field.data and any(c in field.data for c in "<>"):
        raise ValidationError(_("Il nome non può contenere i caratteri < e >."))


class WalkInForm(FlaskForm):
    """Someone not registered, added at the door. `confirm_new` is set once the facilitator
    has seen the registered people with a similar name and still adds a new person."""

    full_name = StringField(
        _l("Nome e cognome"), filters=[_strip],
        validators=[DataRequired(REQUIRED), Length(max=200, message=LENGTH), _no_markup],
        render_kw={"autocomplete": "off"},
    )
    affiliation = StringField(
        _l("Ente, Comune o servizio"), filters=[_strip],
        validators=[Optional(), Length(max=300, message=LENGTH)],
        render_kw={"autocomplete": "off"},
    )
    group_id = SelectField(_l("Tavolo (distretto)"), validate_choice=False)
    category_id = SelectField(_l("Categoria"), validate_choice=False)
    confirm_new = HiddenField()

    def set_choices(self, session: TableSession, categories) -> None:
        """The session's groups (the field only when it has several) and the procedure's
        categories; what was chosen is checked against them, not against the posted list."""
        self.groups = {str(g.id): g for g in session.groups}
        self.categories = {str(c.id): c for c in categories}
        if session.is_merged:
            self.group_id.choices = [SelectChoice("", _("Scegli…"))] + [
                SelectChoice(str(g.id), g.name) for g in session.groups
            ]
        else:
            del self.group_id
        self.category_id.choices = [SelectChoice("", _("Scegli…"))] + [
            SelectChoice(str(c.id), c.label) for c in categories
        ]

    def validate_group_id(self, field) -> None:
        if field.data not in self.groups:
            raise ValidationError(_l("Scegli il tavolo dell'incontro a cui partecipa la persona."))

    def validate_category_id(self, field) -> None:
        if field.data not in self.categories:
            raise ValidationError(_l("Scegli una categoria dell'elenco."))

    def chosen_group(self, session: TableSession):
        return self.groups[self.group_id.data] if "group_id" in self else session.groups[0]

    def chosen_category(self):
        return self.categories[self.category_id.data]
