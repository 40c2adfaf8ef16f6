from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp

from ..notices.forms import REQUIRED
from .models import MemberRole

SECTIONS = [
    ("", _l("— scegli —")),
    ("a", _l("a) Organizzazioni di volontariato (ODV)")),
    ("b", _l("b) Associazioni di promozione sociale (APS)")),
    ("c", _l("c) Enti filantropici")),
    ("d", _l("d) Imprese sociali, incluse le cooperative sociali")),
    ("e", _l("e) Reti associative")),
    ("f", _l("f) Società di mutuo soccorso")),
    ("g", _l("g) Altri enti del Terzo settore")),
]


class OrganisationForm(FlaskForm):
    codice_fiscale = StringField(
        _l("Codice fiscale dell'ente"),
        description=_l("11 cifre. Se l'ente è nel RUNTS, i suoi dati vengono proposti dal registro."),
        validators=[InputRequired(REQUIRED), Length(max=20)],
    )
    name = StringField(_l("Denominazione"), validators=[Optional(), Length(max=300)])
    runts_section = SelectField(
        _l("Sezione del RUNTS"), choices=[SelectChoice(v, label) for v, label in SECTIONS], validators=[Optional()]
    )
    repertorio = StringField(_l("Numero di repertorio RUNTS"), validators=[Optional(), Length(max=30)])
    seat_comune = StringField(_l("Comune della sede legale"), validators=[Optional(), Length(max=100)])
    seat_province = StringField(_l("Provincia"), validators=[Optional(), Length(max=60)])
    pec = StringField(_l("PEC"), validators=[Optional(), Email(message=_l("Indirizzo PEC non valido.")), Length(max=254)])
    email = StringField(_l("E-mail"), validators=[Optional(), Email(message=_l("Indirizzo e-mail non valido.")), Length(max=254)])
    phone = StringField(
        _l("Telefono"),
        validators=[Optional(), Regexp(r"^[0-9 +().-]{6,40}$", message=_l("Numero di telefono non valido."))],
    )
    role = RadioField(
        _l("Agisci per l'ente come"),
        choices=[SelectChoice(r.value, r.label) for r in MemberRole],
        default=MemberRole.LEGAL_REPRESENTATIVE.value,
        validators=[InputRequired(REQUIRED)],
    )
