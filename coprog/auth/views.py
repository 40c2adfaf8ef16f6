"""Sign-up, login and logout, e-mail verification, password reset, profile."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..core.permissions import require
from ..extensions import db
from . import bp, services
from .forms import (
    ChangePasswordForm,
    ConfirmForm,
    EmailForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)
from .tokens import InvalidToken


def safe_next(target: str | None) -> str | None:
    """A same-site path to go back to after login, or None (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return None
    return target


def client_address() -> str:
    return request.remote_addr or "unknown"


def start_session(user) -> None:
    """A fresh session for the signed-in user: nothing from before the login is kept but the language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)
    session.permanent = True


def end_session() -> None:
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang


# Login and logout ----------------------------------------------------------------------------


@bp.route("/accedi", methods=["GET", "POST"])
def login():
    form = LoginForm()
    next_url = safe_next(request.args.get("next"))
    result = None
    if form.validate_on_submit():
        result = services.authenticate(form.email.data, form.password.data, client_address())
        db.session.commit()
        if result.ok:
            start_session(result.user)
            flash(_("Benvenuto, %(name)s.", name=result.user.full_name), "success")
            return redirect(next_url or url_for("pages.home"))
    status = 429 if result is not None and result.refusal == "throttled" else 200
    return render_template("auth/login.html", form=form, result=result, next_url=next_url), status


@bp.route("/esci", methods=["GET", "POST"])
def logout():
    if not current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = ConfirmForm()
    if form.validate_on_submit():
        end_session()
        flash(_("Sei uscito dall'area riservata."), "info")
        return redirect(url_for("pages.home"))
    return render_template("auth/logout.html", form=form)


# Sign-up and e-mail verification -------------------------------------------------------------


@bp.route("/registrati", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        services.register_ets_user(form.full_name.data, form.email.data, form.password.data)
        db.session.commit()
        flash(
            _(
                "Ti abbiamo inviato un'e-mail all'indirizzo %(email)s: apri il collegamento che "
                "contiene per confermare l'indirizzo e poter accedere.",
                email=services.normalize_email(form.email.data),
            ),
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form)


@bp.get("/verifica-email/<token>")
def verify_email(token: str):
    try:
        services.confirm_email(token)
    except InvalidToken as exc:
        return render_template(
            "auth/token_invalid.html", expired=exc.expired, purpose="verify"
        ), 400
    db.session.commit()
    flash(_("Indirizzo e-mail confermato: ora puoi accedere."), "success")
    if current_user.is_authenticated:
        return redirect(url_for("auth.profile"))
    return redirect(url_for("auth.login"))


@bp.route("/verifica-email/invia", methods=["GET", "POST"])
def resend_verification():
    form = EmailForm()
    if form.validate_on_submit():
        services.resend_verification(form.email.data)
        db.session.commit()
        flash(
            _(
                "Se all'indirizzo %(email)s corrisponde un account ancora da confermare, riceverai "
                "a breve un'e-mail con il collegamento di conferma.",
                email=services.normalize_email(form.email.data),
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    if request.method == "GET" and request.args.get("email"):
        form.email.data = request.args["email"][:254]
    return render_template("auth/resend_verification.html", form=form)


# Password reset ------------------------------------------------------------------------------


@bp.route("/password-dimenticata", methods=["GET", "POST"])
def forgot_password():
    form = EmailForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(
            _(
                "Se all'indirizzo %(email)s corrisponde un account, riceverai a breve un'e-mail con "
                "il collegamento per scegliere una nuova password. Il collegamento vale un'ora.",
                email=services.normalize_email(form.email.data),
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reimposta-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        services.user_for_reset(token)
    except InvalidToken as exc:
        return render_template("auth/token_invalid.html", expired=exc.expired, purpose="reset"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        db.session.commit()
        if current_user.is_authenticated:
            end_session()
        flash(_("Password aggiornata: ora puoi accedere con la nuova password."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


# Profile -------------------------------------------------------------------------------------


@bp.route("/profilo", methods=["GET", "POST"])
def profile():
    require("auth.view_profile")
    submitted = request.form.get("form") if request.method == "POST" else None
    profile_form = ProfileForm(
        prefix="profile",
        formdata=None if submitted != "profile" else request.form,
        data={"full_name": current_user.full_name},
    )
    password_form = ChangePasswordForm(
        prefix="password", formdata=None if submitted != "password" else request.form
    )
    if submitted == "profile" and profile_form.validate():
        services.update_profile(current_user, profile_form.full_name.data)
        db.session.commit()
        flash(_("Dati del profilo aggiornati."), "success")
        return redirect(url_for("auth.profile"))
    if submitted == "password" and password_form.validate():
        return _change_password(password_form)
    return render_template(
        "auth/profile.html", profile_form=profile_form, password_form=password_form
    )


def _change_password(form: ChangePasswordForm):
    user = current_user._get_current_object()
    if not services.change_password(user, form.current_password.data, form.new_password.data):
        form.current_password.errors.append(_("La password attuale non è corretta."))
        profile_form = ProfileForm(
            prefix="profile", formdata=None, data={"full_name": user.full_name}
        )
        return render_template("auth/profile.html", profile_form=profile_form, password_form=form)
    db.session.commit()
    start_session(user)  # the session is bound to the password: renew this one, end the others
    flash(
        _("Password cambiata. Le altre sessioni aperte con la vecchia password sono state chiuse."),
        "success",
    )
    return redirect(url_for("auth.profile"))
