"""Planning of the tables by staff (categories, groups per axis, sessions, the e-mail with the
calendar) and the public calendar of a procedure's sessions with its iCal export.

Views parse the form, check the permission, call one service, commit once, respond.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select

from ..core.cache import public_page
from ..core.htmx import render_page_or_fragment
from ..core.permissions import require
from ..core.templating import short_date
from ..extensions import db, htmx
from ..notices.models import Notice, Procedure
from ..notices.views import get_public_notice_or_404
from . import bp
from .calendar import sessions_calendar
from .models import TableCategory, TableGroup, TableSession
from .planning_forms import CategoryForm, GroupForm, SessionForm
from .services import planning
from .services.figures import participation
from .services.planning import PlanningError

INVALID = 422


# Loading ---------------------------------------------------------------------------------------


def _get_or_404(model, ident: int):
    """Permission first (anonymous users go to the login page whatever the id), then the row."""
    require("tables.plan")
    item = db.session.get(model, ident)
    if item is None:
        abort(404)
    return item


def get_procedure_or_404(procedure_id: int) -> Procedure:
    return _get_or_404(Procedure, procedure_id)


def get_group_or_404(group_id: int) -> TableGroup:
    return _get_or_404(TableGroup, group_id)


def get_session_or_404(session_id: int) -> TableSession:
    return _get_or_404(TableSession, session_id)


def get_category_or_404(category_id: int) -> TableCategory:
    return _get_or_404(TableCategory, category_id)


def procedure_axes(procedure: Procedure) -> list:
    """The axes of the procedure's notice (all the authority's when the notice names none)."""
    notice = procedure.notice
    return list(notice.axes) if notice is not None and notice.axes else list(procedure.authority.axes)


def _overview_url(procedure_id: int) -> str:
    return url_for("tables.plan_overview", procedure_id=procedure_id)


def _put_problems(form, problems: dict[str, str]) -> None:
    """The service's problems beside their fields, unless the form already found one there."""
    covered_by = getattr(form, "COVERED_BY", {})
    for name, message in problems.items():
        field = form._fields.get(form.FIELDS.get(name, name))
        if field is None or any(form[other].errors for other in covered_by.get(name, (field.name,))):
            continue
        field.errors = [*field.errors, message]


# Staff: the overview, categories ---------------------------------------------------------------


@bp.get("/gestione/procedimenti/<int:procedure_id>/tavoli")
def plan_overview(procedure_id: int):
    procedure = get_procedure_or_404(procedure_id)
    page = _overview(procedure)
    db.session.commit()  # the default categories, created the first time they are shown
    return page


def _overview(procedure: Procedure, *, new_category: CategoryForm | None = None,
              renamed: CategoryForm | None = None, status: int = 200):
    categories = planning.categories_of(procedure)
    rename_forms = {
        c.id: renamed if renamed is not None and renamed.category_id == c.id
        else CategoryForm(formdata=None, prefix=f"cat{c.id}", label=c.label)
        for c in categories
    }
    groups = planning.groups_of(procedure)
    context = dict(
        procedure=procedure, notice=procedure.notice, categories=categories, rename_forms=rename_forms,
        new_category=new_category or CategoryForm(formdata=None, prefix="new"),
        groups_by_axis=[(axis, [g for g in groups if g.axis_id == axis.id]) for axis in _axes_with_groups(procedure, groups)],
        sessions=planning.sessions_of(procedure), last_sent=planning.last_calendar_sent(procedure),
        figures={item.session.id: item for item in participation(procedure)},
    )
    return render_template("tables/plan.html", **context), status


def _axes_with_groups(procedure: Procedure, groups: list[TableGroup]) -> list:
    """The procedure's axes, plus any other axis a group was planned on."""
    axes = procedure_axes(procedure)
    extra = {g.axis.id: g.axis for g in groups if g.axis not in axes}
    return axes + sorted(extra.values(), key=lambda a: a.position)


@bp.post("/gestione/procedimenti/<int:procedure_id>/tavoli/categorie")
def add_category(procedure_id: int):
    procedure = get_procedure_or_404(procedure_id)
    form = CategoryForm(prefix="new")
    if form.validate_on_submit() and _save_category(procedure, None, form):
        flash(_("Categoria «%(label)s» aggiunta.", label=form.label.data), "success")
        return redirect(_overview_url(procedure.id) + "#categorie")
    return _overview(procedure, new_category=form, status=INVALID)


@bp.post("/gestione/tavoli/categorie/<int:category_id>")
def rename_category(category_id: int):
    category = get_category_or_404(category_id)
    form = CategoryForm(prefix=f"cat{category.id}")
    form.category_id = category.id
    if form.validate_on_submit() and _save_category(category.procedure, category, form):
        flash(_("Categoria rinominata in «%(label)s».", label=form.label.data), "success")
        return redirect(_overview_url(category.procedure_id) + "#categorie")
    return _overview(category.procedure, renamed=form, status=INVALID)


def _save_category(procedure: Procedure, category: TableCategory | None, form: CategoryForm) -> bool:
    try:
        planning.save_category(procedure, category, form.label.data, by=current_user)
    except PlanningError as error:
        db.session.rollback()
        form.label.errors = [*form.label.errors, str(error)]
        return False
    db.session.commit()
    return True


# Staff: groups -----------------------------------------------------------------------------------


@bp.route("/gestione/procedimenti/<int:procedure_id>/tavoli/gruppi/nuovo", methods=["GET", "POST"])
def new_group(procedure_id: int):
    procedure = get_procedure_or_404(procedure_id)
    return _group_page(procedure, None)


@bp.route("/gestione/tavoli/gruppi/<int:group_id>/modifica", methods=["GET", "POST"])
def edit_group(group_id: int):
    group = get_group_or_404(group_id)
    return _group_page(group.procedure, group)


def _group_page(procedure: Procedure, group: TableGroup | None):
    form = GroupForm()
    form.set_choices(_axes_with_groups(procedure, [group] if group else []), procedure.authority.districts)
    if request.method == "GET" and group is not None:
        form.name.data, form.axis_id.data = group.name, group.axis_id
        form.district_ids.data = [d.id for d in group.districts]
        form.sub_area_ids.data = [s.id for s in group.sub_areas]
    elif request.method == "GET":
        form.axis_id.data = request.args.get("axis_id", type=int)  # "new group" of one axis
    if form.validate_on_submit():
        try:
            saved = planning.save_group(procedure, group, form.data_for_service(), by=current_user)
        except PlanningError as error:
            db.session.rollback()
            _put_problems(form, error.problems or {"name": str(error)})
        else:
            db.session.commit()
            flash(_("Tavolo «%(name)s» salvato.", name=saved.name), "success")
            return redirect(_overview_url(procedure.id) + "#tavoli")
    status = INVALID if request.method == "POST" else 200
    return render_template("tables/plan_group.html", form=form, procedure=procedure, notice=procedure.notice,
                           group=group), status


@bp.route("/gestione/tavoli/gruppi/<int:group_id>/elimina", methods=["GET", "POST"])
def delete_group(group_id: int):
    group = get_group_or_404(group_id)
    procedure = group.procedure
    return _delete_page(
        procedure, kind="group", item=group, problem=planning.group_delete_problem(group),
        delete=lambda: planning.delete_group(group, by=current_user),
        done=_("Tavolo «%(name)s» eliminato.", name=group.name), anchor="#tavoli",
    )


# Staff: sessions ---------------------------------------------------------------------------------


@bp.route("/gestione/procedimenti/<int:procedure_id>/tavoli/incontri/nuovo", methods=["GET", "POST"])
def new_session(procedure_id: int):
    procedure = get_procedure_or_404(procedure_id)
    return _session_page(procedure, None)


@bp.route("/gestione/tavoli/incontri/<int:session_id>/modifica", methods=["GET", "POST"])
def edit_session(session_id: int):
    session = get_session_or_404(session_id)
    return _session_page(session.procedure, session)


def _session_page(procedure: Procedure, session: TableSession | None):
    """The form; when the axis changes, htmx asks the same URL for the groups of that axis."""
    fragment = bool(htmx and not htmx.boosted)
    form = SessionForm(formdata=request.args) if request.method == "GET" and fragment else SessionForm()
    groups = planning.groups_of(procedure)
    form.set_choices(_axes_with_groups(procedure, groups), groups, planning.facilitator_choices())
    form.axis_id.render_kw = {"hx-get": request.path, "hx-trigger": "change", "hx-target": "#session-groups",
                              "hx-include": "#session-groups"}
    if request.method == "GET" and not fragment:
        if session is not None:
            form.fill(session)
        else:
            form.axis_id.data = request.args.get("axis_id", type=int)  # "new session" of one axis
    if request.method == "POST":
        form.validate_on_submit()
        _put_problems(form, planning.session_problems(procedure, session, form.data_for_service()))
        if not any(field.errors for field in form) and _save_session(procedure, session, form):
            return redirect(_overview_url(procedure.id) + "#incontri")
    shown, others = _groups_for_axis(procedure, groups, form.axis_id.data, narrow=fragment)
    page = render_page_or_fragment(
        "tables/plan_session.html", "tables/_plan_session_groups.html", form=form, procedure=procedure,
        notice=procedure.notice, session=session, groups_by_axis=shown, other_axes=others, narrow=fragment,
    )
    return page, INVALID if request.method == "POST" else 200


def _groups_for_axis(procedure: Procedure, groups: list[TableGroup], axis_id: int | None, *, narrow: bool):
    """(axis, groups) pairs to show first, and those of the other axes. htmx (the axis just
    changed) gets the chosen axis only; the full page, which must work without JavaScript,
    puts the chosen axis first and the others aside (a session may only gather one axis's)."""
    by_axis = [(axis, [g for g in groups if g.axis_id == axis.id]) for axis in _axes_with_groups(procedure, groups)]
    chosen = [(axis, gs) for axis, gs in by_axis if axis.id == axis_id]
    if narrow and axis_id is not None:
        return chosen, []
    listed = [(axis, gs) for axis, gs in by_axis if gs]
    if chosen:
        return chosen, [(axis, gs) for axis, gs in listed if axis.id != axis_id]
    return listed, []


def _save_session(procedure: Procedure, session: TableSession | None, form: SessionForm) -> bool:
    try:
        saved = planning.save_session(procedure, session, form.data_for_service(), by=current_user)
    except PlanningError as error:  # a change by someone else in between
        db.session.rollback()
        _put_problems(form, error.problems)
        return False
    db.session.commit()
    flash(_("Incontro del %(day)s salvato.", day=short_date(saved.starts_at)), "success")
    return True


@bp.route("/gestione/tavoli/incontri/<int:session_id>/elimina", methods=["GET", "POST"])
def delete_session(session_id: int):
    session = get_session_or_404(session_id)
    return _delete_page(
        session.procedure, kind="session", item=session, problem=planning.session_delete_problem(session),
        delete=lambda: planning.delete_session(session, by=current_user),
        done=_("Incontro eliminato."), anchor="#incontri",
    )


def _delete_page(procedure: Procedure, *, kind: str, item, problem: str | None, delete, done: str, anchor: str):
    """Ask for confirmation (GET); delete (POST). A refusal is said on the page, nothing changes."""
    form = FlaskForm()  # its CSRF token; CSRFProtect refuses a POST without a valid one
    if request.method == "POST":
        try:
            delete()
        except PlanningError as error:
            db.session.rollback()
            problem = str(error)
        else:
            db.session.commit()
            flash(done, "success")
            return redirect(_overview_url(procedure.id) + anchor)
    status = 409 if request.method == "POST" and problem else 200
    return render_template("tables/plan_delete.html", procedure=procedure, notice=procedure.notice, kind=kind,
                           item=item, problem=problem, form=form), status


# Staff: communicating the calendar ---------------------------------------------------------------


@bp.route("/gestione/procedimenti/<int:procedure_id>/tavoli/comunica", methods=["GET", "POST"])
def communicate_calendar(procedure_id: int):
    """Confirm (GET: how many recipients, when it was last sent), then queue the e-mails (POST)."""
    procedure = get_procedure_or_404(procedure_id)
    form = FlaskForm()  # its CSRF token; CSRFProtect refuses a POST without a valid one
    problem = None
    if request.method == "POST":
        try:
            count = planning.communicate_calendar(procedure, by=current_user)
        except PlanningError as error:
            db.session.rollback()
            problem = str(error)
        else:
            db.session.commit()
            flash(_("Calendario inviato: %(count)d e-mail in partenza.", count=count), "success")
            return redirect(_overview_url(procedure.id) + "#comunicazione")
    sessions, recipients = planning.sessions_of(procedure), planning.calendar_recipients(procedure)
    problem = problem or planning.calendar_problem(procedure, sessions, recipients)
    status = 409 if request.method == "POST" else 200
    return render_template(
        "tables/plan_communicate.html", procedure=procedure, notice=procedure.notice, form=form, sessions=sessions,
        recipients=recipients, problem=problem, last_sent=planning.last_calendar_sent(procedure),
    ), status


# Public: the calendar and its iCal export --------------------------------------------------------


@bp.get("/avvisi/<slug>/tavoli")
@public_page
def calendar(slug: str):
    notice = get_public_notice_or_404(slug)
    sessions = planning.sessions_of(notice.procedure)
    return render_template("tables/calendar.html", notice=notice, procedure=notice.procedure,
                           calendar=planning.calendar_by_axis(sessions), sessions=sessions)


@bp.get("/avvisi/<slug>/tavoli.ics")
@public_page
def calendar_ics(slug: str):
    notice = get_public_notice_or_404(slug)
    url = url_for("tables.calendar", slug=slug, _external=True)
    body = sessions_calendar(notice, planning.sessions_of(notice.procedure), url=url,
                             host=urlsplit(url).hostname or "coprog")
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{slug}-tavoli.ics"'})


@bp.app_template_global()
def table_calendar_url(notice: Notice) -> str | None:
    """The public calendar of the notice's tables, once there is at least one session."""
    query = select(func.count(TableSession.id)).where(TableSession.procedure_id == notice.procedure_id)
    return url_for("tables.calendar", slug=notice.procedure.slug) if db.session.scalar(query) else None
