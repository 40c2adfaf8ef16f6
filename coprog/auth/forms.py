"""Forms of the auth domain. Passwords are never sent back to the page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

MIN_PASSWORD = 12
MAX_PASSWORD = 128


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _email_field(label=None):
    return EmailField(
        label or _l("Indirizzo e-mail"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Indica l'indirizzo e-mail.")),
            Email(
                message=_l(
                    "L'indirizzo e-mail non è valido: controlla che sia scritto come nome@dominio.it."
                )
            ),
            Length(max=254, message=_l("L'indirizzo e-mail è troppo lungo.")),
        ],
        render_kw={"autocomplete": "email"},
    )


def _new_password_fields(label):
    password = PasswordField(
        label,
        description=_l(
            "Almeno %(n)s caratteri. Una frase di più parole è facile da ricordare e difficile da indovinare.",
            n=MIN_PASSWORD,
        ),
        validators=[
            DataRequired(message=_l("Scegli una password.")),
            Length(
                min=MIN_PASSWORD,
                max=MAX_PASSWORD,
                message=_l(
                    "La password deve avere da %(min)s a %(max)s caratteri.",
                    min=MIN_PASSWORD,
                    max=MAX_PASSWORD,
                ),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password


def _confirm_field(other: str):
    return PasswordField(
        _l("Ripeti la password"),
        validators=[
            DataRequired(message=_l("Ripeti la password per conferma.")),
            EqualTo(other, message=_l("Le due password non coincidono.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def _name_field():
    return StringField(
        _l("Nome e cognome"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Indica nome e cognome.")),
            Length(max=200, message=_l("Il nome può avere al massimo %(max)s caratteri.", max=200)),
        ],
        render_kw={"autocomplete": "name"},
    )


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Indica la password."))],
        render_kw={"autocomplete": "current-password"},
    )


class RegisterForm(FlaskForm):
    full_name = _name_field()
    email = _email_field()
    password = _new_password_fields(_l("Password"))
    password_confirm = _confirm_field("password")
    privacy = BooleanField(
        _l("Ho letto l'informativa sul trattamento dei dati personali"),
        validators=[
            DataRequired(
                message=_l(
                    "Per registrarti devi dichiarare di aver letto l'informativa sulla privacy."
                )
            )
        ],
    )


class EmailForm(FlaskForm):
    """Resend the verification e-mail, or ask for a password reset."""

    email = _email_field()


class ResetPasswordForm(FlaskForm):
    password = _new_password_fields(_l("Nuova password"))
    password_confirm = _confirm_field("password")


class ProfileForm(FlaskForm):
    full_name = _name_field()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Password attuale"),
        validators=[DataRequired(message=_l("Indica la password attuale."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = _new_password_fields(_l("Nuova password"))
    new_password_confirm = _confirm_field("new_password")


class ConfirmForm(FlaskForm):
    """A button and its CSRF token (sign out)."""
