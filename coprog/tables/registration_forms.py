"""Forms of the registrations: one person for one session, by a registrant or by staff.

The group, the category and the party are chosen among what the view offers; a value posted
outside the offer is refused by the view (or the use-case) with an Italian message beside the
field, so WTForms' own choice checks (English messages) are off.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from ..notices.forms import REQUIRED

LENGTH = _l("Massimo %(max)d caratteri.")


def _strip(value):
    return " ".join(value.split()) if isinstance(value, str) else value


class _PersonForm(FlaskForm):
    full_name = StringField(
        _l("Nome e cognome"), filters=[_strip],
        validators=[DataRequired(REQUIRED), Length(max=200, message=LENGTH)],
    )
    email = StringField(
        _l("E-mail"), filters=[_strip],
        validators=[Optional(), Email(message=_l("Indirizzo e-mail non valido.")), Length(max=254, message=LENGTH)],
        description=_l("Facoltativa: la persona riceve la conferma e il promemoria del giorno prima."),
    )
    affiliation = StringField(
        _l("Ente o servizio di appartenenza"), filters=[_strip],
        validators=[Optional(), Length(max=300, message=LENGTH)],
    )
    group_id = SelectField(_l("Tavolo (distretto)"), validate_choice=False)

    def set_groups(self, session) -> None:
        self.group_id.choices = [SelectChoice(str(g.id), g.name) for g in session.groups]
        if not self.group_id.data and len(session.groups) == 1:
            self.group_id.data = str(session.groups[0].id)


class PartyRegistrationForm(_PersonForm):
    """An admitted ETS (its people or its co-opted subjects) or an invited body (its people)."""

    category = RadioField(_l("Categoria"), validate_choice=False, validators=[DataRequired(REQUIRED)])
    party = SelectField(_l("Per conto di"), validate_choice=False)


class StaffRegistrationForm(_PersonForm):
    """Staff register anyone, with any category of the procedure."""

    category = SelectField(_l("Categoria"), validate_choice=False, validators=[DataRequired(REQUIRED)])
