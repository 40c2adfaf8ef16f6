"""Use-cases on notices. They flush, never commit: the view commits once per request.

After publication the substance of a notice changes only through an amendment (rettifica):
every such change goes through `_amend`, which records what changed and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..core import audit, files
from ..core.time import as_utc, naive_utc, rome_to_utc, to_rome, utcnow
from ..extensions import db
from ..territory.models import Authority, Axis, District
from .models import (
    TEXT_FIELDS,
    Amendment,
    Attachment,
    AttachmentKind,
    Milestone,
    Notice,
    NoticeState,
    Procedure,
    ProcedureKind,
    Question,
)


class NoticeError(ValueError):
    """A refusal with a message for the user."""


class AmendmentRequired(NoticeError):
    pass


class NotEditable(NoticeError):
    pass




@dataclass(frozen=True)
class Upload:
    kind: AttachmentKind
    filename: str
    data: bytes
    title: str | None = None


# Queries ---------------------------------------------------------------------------------------


def public_notices(limit: int | None = None, offset: int = 0, state: NoticeState | None = None):
    query = (
        select(Notice)
        .where(Notice.state != NoticeState.DRAFT)
        .options(selectinload(Notice.procedure).selectinload(Procedure.authority))
        .order_by(Notice.published_at.desc(), Notice.id.desc())
    )
    if state is not None:
        query = query.where(Notice.state == state)
    if limit:
        query = query.limit(limit).offset(offset)
    return list(db.session.scalars(query))


def count_public_notices(state: NoticeState | None = None) -> int:
    query = select(func.count(Notice.id)).where(Notice.state != NoticeState.DRAFT)
    if state is not None:
        query = query.where(Notice.state == state)
    return db.session.scalar(query)


def all_notices() -> list[Notice]:
    query = (
        select(Notice)
        .options(selectinload(Notice.procedure))
        .order_by(Notice.updated_at.desc(), Notice.id.desc())
    )
    return list(db.session.scalars(query))


def notice_by_slug(slug: str) -> Notice | None:
    query = (
        select(Notice)
        .join(Notice.procedure)
        .where(Procedure.slug == slug)
        .options(
            selectinload(Notice.procedure).selectinload(Procedure.authority),
            selectinload(Notice.axes),
            selectinload(Notice.districts),
            selectinload(Notice.milestones).selectinload(Milestone.axis),
            selectinload(Notice.attachments),
            selectinload(Notice.questions),
            selectinload(Notice.amendments),
        )
    )
    return db.session.scalar(query)


def slug_taken(slug: str) -> bool:
    return db.session.scalar(select(func.count(Procedure.id)).where(Procedure.slug == slug)) > 0


# Creating and editing --------------------------------------------------------------------------


def deadline_from(day: date, at: time) -> datetime:
    """The deadline as typed by staff (Rome wall-clock) in UTC."""
    return rome_to_utc(datetime.combine(day, at))


def create_notice(
    authority: Authority, slug: str, data: dict, uploads: list[Upload], *, by
) -> Notice:
    kind = ProcedureKind(data.get("kind") or ProcedureKind.CO_PROGRAMMING)  # a list of qualified entities, too
    procedure = Procedure(slug=slug, kind=kind, authority=authority, created_by_id=by.id)
    notice = Notice(procedure=procedure, state=NoticeState.DRAFT)
    _apply_data(notice, data)
    db.session.add(procedure)
    db.session.flush()
    for upload in uploads:
        _put_attachment(notice, upload, by=by)
    db.session.flush()
    audit.record(notice, "create", by=by, to_state=NoticeState.DRAFT)
    return notice


def update_notice(notice: Notice, data: dict, uploads: list[Upload], *, by, reason: str | None):
    """Apply an edit; once published it becomes an amendment and needs a reason."""

    def apply():
        _apply_data(notice, data)
        for upload in uploads:
            _put_attachment(notice, upload, by=by)

    _, amendment = _change(notice, proposed_changes(notice, data, uploads), apply, by=by, reason=reason)
    return amendment


def _change(notice: Notice, changes: dict, apply, *, by, reason: str | None):
    """Every change to a notice's substance: refused unless allowed, then applied and recorded
    (an audit row for a draft, a public amendment once published). Returns what `apply`
    returned and the amendment, if one was made."""
    _check_amendment(notice, changes, reason)
    result = apply()
    db.session.flush()
    return result, _amend(notice, changes, reason=reason, by=by)


def proposed_changes(notice: Notice, data: dict, uploads: list[Upload]) -> dict:
    """What an edit would change, as {field: {"from": old, "to": new}}."""
    changes = {}
    for name in TEXT_FIELDS:
        old, new = getattr(notice, name) or "", (data.get(name) or "").strip()
        if old != new:
            changes[name] = {"from": old, "to": new}
    if as_utc(notice.deadline_at) != as_utc(data["deadline_at"]):
        changes["deadline_at"] = {
            "from": _rome_text(notice.deadline_at),
            "to": _rome_text(data["deadline_at"]),
        }
    for name, ids, current in (
        ("axes", data["axis_ids"], notice.axes),
        ("districts", data["district_ids"], notice.districts),
    ):
        if sorted(ids) != sorted(item.id for item in current):
            changes[name] = {
                "from": ", ".join(item.name for item in current),
                "to": ", ".join(_names(Axis if name == "axes" else District, ids)),
            }
    for upload in uploads:
        existing = _attachment_of_kind(notice, upload.kind)
        changes.setdefault("attachments", []).append(
            {"action": "replaced" if existing else "added", "document": str(upload.kind.label)}
        )
    return changes


def _names(model, ids) -> list[str]:
    if not ids:
        return []
    return list(db.session.scalars(select(model.name).where(model.id.in_(ids)).order_by(model.position)))


def _rome_text(value: datetime) -> str:
    return to_rome(value).strftime("%d/%m/%Y %H:%M")


def _apply_data(notice: Notice, data: dict) -> None:
    for name in TEXT_FIELDS:
        setattr(notice, name, (data.get(name) or "").strip())
    notice.deadline_at = naive_utc(data["deadline_at"])
    notice.axes = _load(Axis, data["axis_ids"])
    notice.districts = _load(District, data["district_ids"])


def _load(model, ids) -> list:
    if not ids:
        return []
    return list(db.session.scalars(select(model).where(model.id.in_(ids)).order_by(model.position)))


def _check_amendment(notice: Notice, changes: dict, reason: str | None) -> None:
    if notice.state == NoticeState.DRAFT:
        return
    if notice.state != NoticeState.PUBLISHED:
        raise NotEditable(_("Un avviso chiuso o concluso non può più essere modificato."))
    if changes and not (reason or "").strip():
        raise AmendmentRequired(
            _("Per modificare un avviso pubblicato indica il motivo della rettifica.")
        )


def _amend(notice: Notice, changes: dict, *, reason: str | None, by) -> Amendment | None:
    if notice.state == NoticeState.DRAFT:
        if changes:
            audit.record(notice, "edit", by=by, details=changes)
        return None
    if not changes:
        return None
    amendment = Amendment(
        number=len(notice.amendments) + 1,
        reason=reason.strip(),
        changes=changes,
        created_by_id=by.id,
    )
    notice.amendments.append(amendment)
    db.session.flush()
    audit.record(notice, "amendment", by=by, reason=amendment.reason, details=changes)
    return amendment


# Attachments -----------------------------------------------------------------------------------


def _attachment_of_kind(notice: Notice, kind: AttachmentKind) -> Attachment | None:
    if kind == AttachmentKind.OTHER:
        return None
    return next((a for a in notice.attachments if a.kind == kind), None)


def _put_attachment(notice: Notice, upload: Upload, *, by) -> Attachment:
    """Add a document, or replace the one of the same kind (Modello A, Scheda, Allegato 4)."""
    stored = files.store(upload.filename, upload.data, "application/pdf", by=by)
    db.session.add(stored)
    existing = _attachment_of_kind(notice, upload.kind)
    title = (upload.title or "").strip() or str(upload.kind.label)
    if existing is not None:
        existing.file = stored
        existing.title = title
        existing.added_at = naive_utc(utcnow())
        return existing
    attachment = Attachment(
        kind=upload.kind, title=title, file=stored, position=_attachment_position(upload.kind, notice)
    )
    notice.attachments.append(attachment)
    return attachment


def _attachment_position(kind: AttachmentKind, notice: Notice) -> int:
    order = list(AttachmentKind).index(kind) * 100
    return order + len([a for a in notice.attachments if a.kind == kind])


def add_attachment(notice: Notice, upload: Upload, *, by, reason: str | None) -> Attachment:
    changes = proposed_changes_for_documents(notice, upload)
    attachment, _ = _change(
        notice, changes, lambda: _put_attachment(notice, upload, by=by), by=by, reason=reason
    )
    return attachment


def proposed_changes_for_documents(notice: Notice, upload: Upload) -> dict:
    existing = _attachment_of_kind(notice, upload.kind)
    title = (upload.title or "").strip() or str(upload.kind.label)
    return {"attachments": [{"action": "replaced" if existing else "added", "document": title}]}


def remove_attachment(notice: Notice, attachment: Attachment, *, by, reason: str | None) -> None:
    changes = {"attachments": [{"action": "removed", "document": attachment.title}]}
    _change(notice, changes, lambda: notice.attachments.remove(attachment), by=by, reason=reason)


# Milestones ------------------------------------------------------------------------------------


def milestone_times(day: date, start: time | None, end: time | None) -> tuple[datetime, datetime | None, bool]:
    if start is None:
        return naive_utc(rome_to_utc(datetime.combine(day, time(0, 0)))), None, True
    starts = naive_utc(rome_to_utc(datetime.combine(day, start)))
    ends = naive_utc(rome_to_utc(datetime.combine(day, end))) if end else None
    return starts, ends, False


def add_milestone(notice: Notice, data: dict, *, by, reason: str | None) -> Milestone:
    milestone = Milestone(**data)
    changes = {"milestones": [{"action": "added", "milestone": _milestone_text(milestone)}]}
    _change(notice, changes, lambda: notice.milestones.append(milestone), by=by, reason=reason)
    return milestone


def remove_milestone(notice: Notice, milestone: Milestone, *, by, reason: str | None) -> None:
    changes = {"milestones": [{"action": "removed", "milestone": _milestone_text(milestone)}]}
    _change(notice, changes, lambda: notice.milestones.remove(milestone), by=by, reason=reason)


def _milestone_text(milestone: Milestone) -> str:
    when = to_rome(milestone.starts_at)
    stamp = when.strftime("%d/%m/%Y") if milestone.all_day else when.strftime("%d/%m/%Y %H:%M")
    return f"{milestone.title} ({stamp})"


# FAQ -------------------------------------------------------------------------------------------


def save_question(notice: Notice, question: Question | None, data: dict, *, by) -> Question:
    if question is None:
        question = Question(position=len(notice.questions) + 1)
        notice.questions.append(question)
    question.question = data["question"].strip()
    new_answer = (data.get("answer") or "").strip()
    if new_answer and new_answer != question.answer:
        question.answered_at = naive_utc(utcnow())
    question.answer = new_answer
    question.published = bool(data.get("published")) and bool(new_answer)
    db.session.flush()
    audit.record(question, "save", by=by, details={"published": question.published})
    return question


def delete_question(notice: Notice, question: Question, *, by) -> None:
    audit.record(question, "delete", by=by)
    notice.questions.remove(question)
    db.session.flush()


# Lifecycle -------------------------------------------------------------------------------------


def close_expired(now: datetime | None = None) -> list[Notice]:
    """Close every published notice whose deadline has passed (run on a timer)."""
    now = as_utc(now or utcnow())
    query = select(Notice).where(
        Notice.state == NoticeState.PUBLISHED, Notice.deadline_at <= naive_utc(now)
    )
    closed = []
    for notice in db.session.scalars(query):
        notice.close(by=None, now=now, reason=_("Scadenza del termine per le domande."))
        closed.append(notice)
    db.session.flush()
    return closed


# Presentation helpers --------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    key: str
    at: datetime
    title: str
    kind: str
    kind_label: str
    past: bool
    ends_at: datetime | None = None
    all_day: bool = False
    place: str = ""
    internal: bool = False


def timeline(notice: Notice, now: datetime | None = None) -> list[TimelineItem]:
    """Publication, milestones and the deadline, in date order."""
    now = as_utc(now or utcnow())
    items = [
        TimelineItem(
            key=f"milestone-{m.id}",
            at=m.starts_at,
            ends_at=m.ends_at,
            all_day=m.all_day,
            title=m.title,
            kind=m.kind.value,
            kind_label=str(m.kind.label),
            place=m.place,
            internal=m.internal,
            past=as_utc(m.ends_at or m.starts_at) < now,
        )
        for m in notice.milestones
    ]
    items.append(
        TimelineItem(
            key="deadline",
            at=notice.deadline_at,
            title=_("Scadenza per la presentazione delle domande"),
            kind="scadenza",
            kind_label=_("Scadenza"),
            past=notice.deadline_passed(now),
        )
    )
    if notice.published_at:
        items.append(
            TimelineItem(
                key="publication",
                at=notice.published_at,
                title=_("Pubblicazione dell'avviso"),
                kind="pubblicazione",
                kind_label=_("Pubblicazione"),
                past=True,
            )
        )
    return sorted(items, key=lambda item: as_utc(item.at))


def days_left(notice: Notice, now: datetime | None = None) -> int | None:
    """Calendar days (Rome) until the deadline; None once it has passed."""
    now = as_utc(now or utcnow())
    if notice.deadline_passed(now):
        return None
    return (to_rome(notice.deadline_at).date() - to_rome(now).date()).days
