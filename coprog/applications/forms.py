"""Modello A + DSAN, and the co-opted subjects. Labels and legal text in Italian (Babel)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp

from ..notices.forms import REQUIRED, MultiCheckboxField
from ..organisations.forms import SECTIONS
from ..organisations.models import MemberRole
from .models import CoOptedKind

PHONE = Regexp(r"^[0-9 +().-]{6,40}$", message=_l("Numero di telefono non valido."))
LENGTH = _l("Massimo %(max)d caratteri.")

# DSAN (DPR 445/2000, artt. 46-47): declared, not proved; checked later by the PA (art. 71).
DECLARATION_TEXTS = {
    "dsan_no_exclusion": _l(
        "Dichiaro che l'ente non si trova in alcuna delle cause di esclusione dalla partecipazione "
        "a procedure con la pubblica amministrazione previste dalla normativa vigente."
    ),
    "dsan_no_conflict": _l(
        "Dichiaro l'assenza di situazioni di conflitto di interessi, anche potenziale, con "
        "l'amministrazione procedente."
    ),
    "dsan_accepts_notice": _l(
        "Dichiaro di aver letto l'avviso e di accettarne integralmente le condizioni."
    ),
    "dsan_truthful": _l(
        "Dichiaro, ai sensi degli artt. 46 e 47 del DPR 445/2000, che quanto indicato in questa "
        "domanda corrisponde al vero, consapevole delle sanzioni penali previste dall'art. 76 dello "
        "stesso decreto per le dichiarazioni mendaci e della decadenza dai benefici (art. 75)."
    ),
    "privacy_ack": _l(
        "Dichiaro di aver letto l'informativa sul trattamento dei dati personali (art. 13 GDPR)."
    ),
}


def _text(label, max_length=200, validators=(), **kw):
    return StringField(label, validators=[Optional(), Length(max=max_length, message=LENGTH), *validators], **kw)


class ApplicationForm(FlaskForm):
    applicant_role = RadioField(
        _l("Chi presenta la domanda"),
        choices=[SelectChoice(r.value, r.label) for r in MemberRole],
        validators=[InputRequired(REQUIRED)],
    )
    legal_rep_name = _text(_l("Legale rappresentante: nome e cognome"))
    legal_rep_cf = _text(_l("Codice fiscale del legale rappresentante"), 20)
    legal_rep_role = _text(_l("Carica (per esempio presidente)"))
    pec = _text(_l("PEC dell'ente"), 254, [Email(message=_l("Indirizzo PEC non valido."))])
    email = _text(_l("E-mail"), 254, [Email(message=_l("Indirizzo e-mail non valido."))])
    phone = _text(_l("Telefono"), 40, [PHONE])
    declared_section = SelectField(
        _l("Sezione del RUNTS"), choices=[SelectChoice(v, label) for v, label in SECTIONS], validators=[Optional()]
    )
    declared_repertorio = _text(_l("Numero di repertorio RUNTS"), 30)
    declared_registered_on = DateField(_l("Data di iscrizione al RUNTS"), validators=[Optional()])
    earlier_register = _text(
        _l("Registro regionale di provenienza (solo ODV e APS trasmigrate)"), 300,
        description=_l("Per continuità conta la data di iscrizione nel registro di provenienza."),
    )
    earlier_registered_on = DateField(_l("Data di iscrizione nel registro di provenienza"), validators=[Optional()])
    registro_imprese = _text(
        _l("Iscrizione al Registro imprese (solo imprese sociali e cooperative sociali)"), 100,
        description=_l("Numero REA e camera di commercio."),
    )
    axes = MultiCheckboxField(_l("Assi di interesse"), coerce=int, validators=[Optional()])
    districts = MultiCheckboxField(_l("Distretti di interesse"), coerce=int, validators=[Optional()])
    experience = TextAreaField(
        _l("Esperienza dell'ente sui temi dell'avviso"),
        validators=[Optional(), Length(max=8000, message=LENGTH)],
        render_kw={"rows": 6},
    )
    table_contact_name = _text(_l("Referente per i tavoli: nome e cognome"))
    table_contact_email = _text(_l("Referente per i tavoli: e-mail"), 254, [Email(message=_l("Indirizzo e-mail non valido."))])
    table_contact_phone = _text(_l("Referente per i tavoli: telefono"), 40, [PHONE])
    dsan_no_exclusion = BooleanField(DECLARATION_TEXTS["dsan_no_exclusion"])
    dsan_no_conflict = BooleanField(DECLARATION_TEXTS["dsan_no_conflict"])
    dsan_accepts_notice = BooleanField(DECLARATION_TEXTS["dsan_accepts_notice"])
    dsan_truthful = BooleanField(DECLARATION_TEXTS["dsan_truthful"])
    privacy_ack = BooleanField(DECLARATION_TEXTS["privacy_ack"])
    signed_file = FileField(
        _l("Domanda firmata digitalmente (facoltativa)"),
        description=_l("PDF firmato (PAdES) o busta .p7m (CAdES), al massimo 10 MB."),
    )

    def set_choices(self, authority) -> None:
        self.axes.choices = [SelectChoice(a.id, a.name) for a in authority.axes]
        self.districts.choices = [SelectChoice(d.id, d.name) for d in authority.districts]


class CoOptedForm(FlaskForm):
    kind = SelectField(
        _l("Tipo di soggetto"),
        choices=[SelectChoice(k.value, k.label) for k in CoOptedKind],
        validators=[InputRequired(REQUIRED)],
    )
    name = StringField(_l("Nome o denominazione"), validators=[InputRequired(REQUIRED), Length(max=300, message=LENGTH)])
    code = StringField(
        _l("Codice fiscale o partita IVA (facoltativo)"), validators=[Optional(), Length(max=20)]
    )
    contact = StringField(_l("Contatto (e-mail o telefono)"), validators=[Optional(), Length(max=300, message=LENGTH)])
    role = TextAreaField(
        _l("Ruolo che avrà nella co-programmazione"),
        validators=[InputRequired(REQUIRED), Length(max=2000, message=LENGTH)],
        render_kw={"rows": 3},
    )


class ActionForm(FlaskForm):
    """Buttons that change state: only the CSRF token."""


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decisione"),
        choices=[SelectChoice("ammetti", _l("Ammetti")), SelectChoice("escludi", _l("Escludi")),
                 SelectChoice("integrazione", _l("Chiedi un'integrazione (soccorso istruttorio)"))],
        validators=[InputRequired(REQUIRED)],
    )
    reason = TextAreaField(
        _l("Motivazione"),
        description=_l("Obbligatoria: sarà comunicata all'ente."),
        validators=[InputRequired(REQUIRED), Length(max=4000, message=LENGTH)],
        render_kw={"rows": 4},
    )
    due_date = DateField(_l("Termine per l'integrazione: giorno"), validators=[Optional()])
    due_time = TimeField(_l("Termine per l'integrazione: ora"), validators=[Optional()])


class IntegrationForm(FlaskForm):
    answer = TextAreaField(
        _l("Risposta all'integrazione"),
        validators=[InputRequired(REQUIRED), Length(max=8000, message=LENGTH)],
        render_kw={"rows": 5},
    )
    file = FileField(_l("Documento (facoltativo)"), description=_l("PDF o .p7m, al massimo 10 MB."))
