"""Forms of the notice pages. Labels and messages in Italian (Babel)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp

from .models import AttachmentKind, MilestoneKind, ProcedureKind

REQUIRED = _l("Campo obbligatorio.")
DEFAULT_LEGAL_BASIS = (
    "Art. 55 del D.Lgs. 3 luglio 2017, n. 117 (Codice del Terzo settore); "
    "D.M. 31 marzo 2021, n. 72 (Linee guida sul rapporto tra pubbliche amministrazioni ed enti "
    "del Terzo settore); L.R. Emilia-Romagna 13 aprile 2023, n. 3."
)


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def text_area(label, *, required=True, max_length=20000, rows=5, description=None):
    validators = [InputRequired(REQUIRED)] if required else [Optional()]
    validators.append(Length(max=max_length, message=_l("Massimo %(max)d caratteri.")))
    return TextAreaField(label, validators=validators, render_kw={"rows": rows}, description=description)


class AmendmentReasonMixin:
    amendment_reason = text_area(
        _l("Motivo della rettifica"),
        required=False,
        max_length=2000,
        rows=2,
        description=_l("Obbligatorio se l'avviso è già pubblicato."),
    )


class NoticeForm(AmendmentReasonMixin, FlaskForm):
    # Chosen once, when the notice is created (the edit page does not show it).
    kind = SelectField(
        _l("Tipo di procedimento"),
        choices=[SelectChoice(k.value, k.label) for k in (ProcedureKind.CO_PROGRAMMING, ProcedureKind.QUALIFIED_LIST)],
        default=ProcedureKind.CO_PROGRAMMING.value,
        description=_l(
            "Per un elenco di soggetti qualificati l'avviso resta aperto: le domande si presentano in ogni "
            "momento e la scadenza indicata sotto è il termine di validità dell'elenco."
        ),
    )  # absent from a post (the edit page): the default, unused there; an unknown kind is refused
    title = StringField(
        _l("Titolo dell'avviso"),
        validators=[InputRequired(REQUIRED), Length(max=300, message=_l("Massimo %(max)d caratteri."))],
    )
    slug = StringField(
        _l("Identificativo nell'indirizzo"),
        description=_l("Lettere minuscole, cifre e trattini, per esempio bds-bologna-2025."),
        validators=[
            InputRequired(REQUIRED),
            Length(min=3, max=80, message=_l("Tra %(min)d e %(max)d caratteri.")),
            Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", message=_l("Usa solo lettere minuscole, cifre e trattini.")),
        ],
    )
    summary = text_area(_l("Oggetto in breve"), max_length=1000, rows=3)
    legal_basis = text_area(_l("Riferimenti normativi"), rows=3)
    objectives = text_area(_l("Obiettivi"), rows=6)
    requirements = text_area(_l("Requisiti di partecipazione"), rows=6)
    how_to_apply = text_area(_l("Modalità di partecipazione"), rows=6)
    axes = MultiCheckboxField(_l("Assi"), coerce=int, validators=[InputRequired(_l("Scegli almeno un asse."))])
    districts = MultiCheckboxField(_l("Distretti"), coerce=int, validators=[Optional()])
    deadline_date = DateField(
        _l("Scadenza: giorno"), validators=[InputRequired(_l("Indica il giorno di scadenza."))]
    )
    deadline_time = TimeField(
        _l("Scadenza: ora"),
        description=_l("Ora di Roma, per esempio 12:00."),
        validators=[InputRequired(_l("Indica l'ora di scadenza."))],
    )
    rup_name = StringField(
        _l("Responsabile del procedimento (RUP)"),
        validators=[InputRequired(REQUIRED), Length(max=200)],
    )
    rup_role = StringField(_l("Qualifica del RUP"), validators=[Optional(), Length(max=200)])
    contact_email = StringField(
        _l("E-mail per informazioni"),
        validators=[InputRequired(REQUIRED), Email(message=_l("Indirizzo e-mail non valido.")), Length(max=254)],
    )
    contact_pec = StringField(
        _l("PEC"),
        validators=[Optional(), Email(message=_l("Indirizzo PEC non valido.")), Length(max=254)],
    )
    contact_phone = StringField(
        _l("Telefono"),
        validators=[
            Optional(),
            Regexp(r"^[0-9 +().-]{6,40}$", message=_l("Numero di telefono non valido.")),
        ],
    )
    modello_a = FileField(_l("Modello A – Domanda di partecipazione (PDF)"))
    scheda_tecnica = FileField(_l("Scheda tecnica (PDF)"))
    allegato_4 = FileField(_l("Allegato 4 – DSAN (PDF)"))
    ATTACHMENT_FIELDS = {
        "modello_a": AttachmentKind.MODELLO_A,
        "scheda_tecnica": AttachmentKind.SCHEDA_TECNICA,
        "allegato_4": AttachmentKind.ALLEGATO_4,
    }

    def set_choices(self, authority) -> None:
        self.axes.choices = [SelectChoice(a.id, a.name) for a in authority.axes]
        self.districts.choices = [SelectChoice(d.id, d.name) for d in authority.districts]


class MilestoneForm(AmendmentReasonMixin, FlaskForm):
    kind = SelectField(
        _l("Tipo"),
        choices=[SelectChoice(k.value, k.label) for k in MilestoneKind],
        validators=[InputRequired(REQUIRED)],
    )
    title = StringField(_l("Titolo"), validators=[InputRequired(REQUIRED), Length(max=200)])
    day = DateField(_l("Giorno"), validators=[InputRequired(_l("Indica il giorno."))])
    start_time = TimeField(_l("Ora di inizio"), validators=[Optional()])
    end_time = TimeField(_l("Ora di fine"), validators=[Optional()])
    place = StringField(_l("Luogo o collegamento"), validators=[Optional(), Length(max=300)])
    internal = BooleanField(_l("Incontro interno (mostrato come tale nel cronoprogramma)"))


class AttachmentForm(AmendmentReasonMixin, FlaskForm):
    kind = SelectField(
        _l("Tipo di documento"),
        choices=[SelectChoice(k.value, k.label) for k in AttachmentKind],
        validators=[InputRequired(REQUIRED)],
    )
    title = StringField(_l("Titolo"), validators=[Optional(), Length(max=200)])
    file = FileField(_l("File (PDF)"))


class QuestionForm(FlaskForm):
    question = text_area(_l("Domanda"), max_length=4000, rows=3)
    answer = text_area(_l("Risposta"), required=False, max_length=8000, rows=4)
    published = BooleanField(_l("Pubblica la domanda con la risposta"))


class TransitionForm(FlaskForm):
    reason = text_area(_l("Motivazione"), required=False, max_length=2000, rows=2)
