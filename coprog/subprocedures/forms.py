"""Forms of the sub-procedure pages (staff) and of the invitation link (invited body)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from stdnum.it import codicefiscale, iva
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp, ValidationError

from ..auth.forms import MAX_PASSWORD, MIN_PASSWORD
from .models import DEFAULT_LEGAL_BASIS, BodyKind

REQUIRED = _l("Campo obbligatorio.")
CONTACT_ROWS = 3


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _max(n: int):
    return Length(max=n, message=_l("Massimo %(max)d caratteri."))


def _email(label, *, required=True):
    return EmailField(
        label,
        filters=[_strip, _lower],
        validators=[
            InputRequired(_l("Indica l'indirizzo e-mail.")) if required else Optional(),
            Email(message=_l("L'indirizzo e-mail non è valido: controlla che sia scritto come nome@dominio.it.")),
            _max(254),
        ],
    )


def entity_tax_code(form, field) -> None:
    """CF or partita IVA of a body: 11 digits with a valid check digit (python-stdnum)."""
    code = (field.data or "").replace(" ", "").upper()
    if not code:
        field.data = None
        return
    if iva.is_valid(code):
        field.data = iva.compact(code)
        return
    if len(code) == 16 and codicefiscale.is_valid(code):
        raise ValidationError(
            _l("È il codice fiscale di una persona: indica quello dell'ente (11 cifre).")
        )
    raise ValidationError(
        _l("Codice fiscale o partita IVA non valido: servono 11 cifre con la cifra di controllo corretta.")
    )


class SubProcedureForm(FlaskForm):
    title = StringField(
        _l("Titolo del sub-procedimento"), filters=[_strip], validators=[InputRequired(REQUIRED), _max(300)]
    )
    purpose = TextAreaField(
        _l("Finalità"),
        description=_l("Perché si invitano soggetti diversi dagli ETS e quale contributo si chiede."),
        filters=[_strip],
        validators=[InputRequired(REQUIRED), _max(5000)],
        render_kw={"rows": 5},
    )
    legal_basis = TextAreaField(
        _l("Riferimenti normativi"),
        default=DEFAULT_LEGAL_BASIS,
        filters=[_strip],
        validators=[InputRequired(REQUIRED), _max(2000)],
        render_kw={"rows": 2},
    )


class InvitationForm(FlaskForm):
    body_kind = SelectField(
        _l("Tipo di soggetto"),
        choices=[SelectChoice("", _l("Scegli…"))] + [SelectChoice(k.value, k.label) for k in BodyKind],
        validators=[InputRequired(_l("Scegli il tipo di soggetto."))],
    )
    body_name = StringField(
        _l("Denominazione"), filters=[_strip], validators=[InputRequired(REQUIRED), _max(300)]
    )
    tax_code = StringField(
        _l("Codice fiscale o partita IVA"),
        description=_l("Facoltativo. 11 cifre."),
        filters=[_strip],
        validators=[entity_tax_code],
    )
    email = _email(_l("E-mail a cui inviare l'invito"))

    def validate_body_kind(self, field) -> None:
        if field.data not in {k.value for k in BodyKind}:
            raise ValidationError(_l("Scegli il tipo di soggetto."))


class ActionForm(FlaskForm):
    """A button with its CSRF token and an optional reason (open, close, resend, revoke)."""

    reason = TextAreaField(
        _l("Motivo (facoltativo)"), filters=[_strip], validators=[Optional(), _max(2000)],
        render_kw={"rows": 2},
    )


class ContactForm(Form):
    """One contact person. Every row but the first may be left empty."""

    full_name = StringField(_l("Nome e cognome"), filters=[_strip], validators=[Optional(), _max(200)])
    role = StringField(_l("Ruolo"), filters=[_strip], validators=[Optional(), _max(200)])
    email = _email(_l("E-mail"), required=False)
    phone = StringField(
        _l("Telefono"),
        filters=[_strip],
        validators=[Optional(), Regexp(r"^[0-9 +().-]{6,40}$", message=_l("Numero di telefono non valido."))],
    )

    @property
    def is_blank(self) -> bool:
        return not any((self[name].data or "").strip() for name in ("full_name", "role", "email", "phone"))


class AcceptForm(FlaskForm):
    contacts = FieldList(FormField(ContactForm), min_entries=CONTACT_ROWS, max_entries=CONTACT_ROWS)
    password = PasswordField(
        _l("Password del nuovo account"),
        description=_l(
            "Almeno %(n)s caratteri. Serve solo se il primo referente non ha già un account.",
            n=MIN_PASSWORD,
        ),
        validators=[
            Optional(),
            Length(
                min=MIN_PASSWORD, max=MAX_PASSWORD,
                message=_l("La password deve avere da %(min)s a %(max)s caratteri.", min=MIN_PASSWORD, max=MAX_PASSWORD),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    password_confirm = PasswordField(_l("Ripeti la password"), render_kw={"autocomplete": "new-password"})
    privacy = BooleanField(
        _l("Ho letto l'informativa sul trattamento dei dati personali"),
        validators=[InputRequired(_l("Per aderire devi dichiarare di aver letto l'informativa sulla privacy."))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number, entry in enumerate(self.contacts.entries, start=1):
            for field in entry.form:
                field.label.text = _l("Referente %(n)d: %(field)s", n=number, field=field.label.text)

    def flat_fields(self) -> list:
        """Every field, the contacts' own included, for the error summary."""
        contact_fields = [field for entry in self.contacts.entries for field in entry.form]
        return contact_fields + [field for field in self if field.name != "contacts"]

    def validate_contacts(self, field) -> None:
        """The first contact is required whole (name and e-mail); the others when started."""
        for index, entry in enumerate(field.entries):
            contact = entry.form
            if index > 0 and contact.is_blank:
                continue
            if not contact.full_name.data:
                contact.full_name.errors.append(_l("Indica nome e cognome del referente."))
            if not contact.email.data:
                contact.email.errors.append(_l("Indica l'e-mail del referente."))
        if any(entry.form.errors for entry in field.entries):
            raise ValidationError(_l("Controlla i dati dei referenti."))

    def validate_password_confirm(self, field) -> None:
        if self.password.data and field.data != self.password.data:
            raise ValidationError(_l("Le due password non coincidono."))

    def contact_rows(self) -> list[dict]:
        return [
            {name: entry.form[name].data or "" for name in ("full_name", "role", "email", "phone")}
            for entry in self.contacts.entries
            if not entry.form.is_blank
        ]


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        _l("Motivo (facoltativo)"), filters=[_strip], validators=[Optional(), _max(2000)],
        render_kw={"rows": 3},
    )
