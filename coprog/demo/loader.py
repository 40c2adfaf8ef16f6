"""Load the demo data. Idempotent: what exists is left as it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import select

from ..auth.models import User
from ..core import audit
from ..core.models import AuditEntry
from ..core.roles import Role
from ..core.time import naive_utc, rome_to_utc, utcnow
from ..extensions import db
from ..notices import services as notices
from ..notices.models import AttachmentKind, Milestone, MilestoneKind, Notice, Procedure
from ..subprocedures import services as subprocedures
from ..territory.models import Authority, Axis
from . import content
from .applications import ensure_demo_applications
from .contributions import ensure_demo_contributions
from .documents import demo_pdf
from .minutes import ensure_demo_minutes
from .qualified import ensure_demo_qualified_list
from .synthesis import ensure_demo_final_document, ensure_demo_synthesis
from .tables import ensure_demo_tables


@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)


def load_demo() -> DemoReport:
    from ..territory.services import BOLOGNA_PRESET, load_preset

    report = DemoReport()
    load_preset(BOLOGNA_PRESET)
    users = _ensure_accounts(report)
    authority = db.session.scalar(select(Authority).order_by(Authority.id))
    notice = _ensure_procedure(authority, users["rup@demo.coprog.it"], report)
    ensure_demo_applications(notice, users, report)
    _ensure_subprocedure(notice.procedure, users, report)
    ensure_demo_tables(notice, users, report)
    ensure_demo_minutes(notice, users, report)
    ensure_demo_contributions(notice, users, report)
    ensure_demo_synthesis(notice, users, report)
    ensure_demo_final_document(notice, users, report)
    ensure_demo_qualified_list(authority, users, report)
    db.session.flush()
    return report


def _ensure_accounts(report: DemoReport) -> dict[str, User]:
    users = {}
    for email, name, role, admin in content.ACCOUNTS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(
                email=email, full_name=name, role=Role(role), is_admin=admin, is_demo=True,
                email_verified_at=naive_utc(rome_to_utc(datetime(2025, 8, 1, 9, 0))),
            )
            user.set_password(content.DEMO_PASSWORD)
            db.session.add(user)
            report.created.append(f"utente {email}")
        else:
            report.existing.append(f"utente {email}")
        users[email] = user
    db.session.flush()
    return users


def _ensure_procedure(authority: Authority, rup: User, report: DemoReport) -> Notice:
    existing = db.session.scalar(select(Procedure).where(Procedure.slug == content.SLUG))
    if existing is not None:
        report.existing.append(f"procedura {content.SLUG}")
        return existing.notice
    axes = {a.code: a for a in db.session.scalars(select(Axis).where(Axis.authority_id == authority.id))}
    data = dict(content.NOTICE)
    data["deadline_at"] = rome_to_utc(content.DEADLINE_AT)
    data["axis_ids"] = [a.id for a in sorted(axes.values(), key=lambda a: a.position)]
    data["district_ids"] = [d.id for d in authority.districts]
    uploads = [_demo_upload(kind, title, filename) for kind, title, filename in content.ATTACHMENTS]
    notice = notices.create_notice(authority, content.SLUG, data, uploads, by=rup)
    for kind, title, day, axis_code, internal in content.MILESTONES:
        starts, ends, all_day = notices.milestone_times(day, None, None)
        notice.milestones.append(
            Milestone(
                kind=MilestoneKind(kind), title=title, starts_at=starts, ends_at=ends,
                all_day=all_day, internal=internal,
                axis_id=axes[axis_code].id if axis_code else None,
            )
        )
    for question, answer in content.QUESTIONS:
        notices.save_question(notice, None, {"question": question, "answer": answer, "published": True}, by=rup)
    published = rome_to_utc(content.PUBLISHED_AT)
    for attachment in notice.attachments:  # the documents went out with the notice
        attachment.added_at = naive_utc(published)
    notice.publish(by=rup, now=published)
    notices.close_expired(now=rome_to_utc(datetime.combine(content.DEADLINE_AT.date(), time(12, 1))))
    report.created.append(f"procedura {content.SLUG}")
    return notice


def _demo_upload(kind: str, title: str, filename: str) -> notices.Upload:
    lines = [
        "Azienda USL di Bologna – Dipartimento di Salute Mentale e Dipendenze Patologiche.",
        content.NOTICE["title"] + ".",
        "Ai sensi dell'art. 55 del D.Lgs. 117/2017, del DM 72/2021 e della L.R. Emilia-Romagna 3/2023.",
    ]
    return notices.Upload(kind=AttachmentKind(kind), filename=filename, data=demo_pdf(title, lines), title=title)


# The sub-procedure of 19 November 2025 ------------------------------------------------------------


def _ensure_subprocedure(procedure: Procedure, users: dict[str, User], report: DemoReport) -> None:
    from ..subprocedures.models import SubProcedure

    title = content.SUBPROCEDURE["title"]
    existing = db.session.scalar(
        select(SubProcedure).where(SubProcedure.procedure_id == procedure.id, SubProcedure.title == title)
    )
    if existing is not None:
        report.existing.append("sub-procedimento")
        return
    rup = users["rup@demo.coprog.it"]
    opened = rome_to_utc(content.SUBPROCEDURE_OPENED_AT)
    sub = _dated(opened - timedelta(days=5), lambda: subprocedures.create_subprocedure(procedure, content.SUBPROCEDURE, by=rup))
    sub.created_at = naive_utc(opened - timedelta(days=5))
    _dated(opened, lambda: sub.open(by=rup, now=opened))
    for kind, name, email, outcome, day, extra in content.INVITEES:
        _demo_invitation(sub, rup, users, (kind, name, email), outcome, day, extra, sent=opened + timedelta(hours=1))
    report.created.append(f"sub-procedimento con {len(content.INVITEES)} inviti")


def _dated(at: datetime, action):
    """Run a change and date the audit rows it wrote at `at` (the demo tells a past story)."""
    result = action()
    for entry in db.session.new:
        if isinstance(entry, AuditEntry) and entry.at is None:
            entry.at = naive_utc(at)
    return result


def _demo_invitation(sub, rup: User, users: dict[str, User], body: tuple, outcome: str, day, extra, *, sent: datetime) -> None:
    from ..subprocedures.models import BodyKind, Invitation

    kind, name, email = body
    invitation = Invitation(
        sub_procedure=sub, body_kind=BodyKind(kind), body_name=name, email=email,
        token_hash=subprocedures.new_token()[1], invited_by_id=rup.id, created_at=naive_utc(sent),
        sent_at=naive_utc(sent), expires_at=subprocedures.expiry_from(sent),
    )
    db.session.add(invitation)
    db.session.flush()
    _dated(sent, lambda: audit.record(invitation, "invited", by=rup, to_state=invitation.state))
    at = rome_to_utc(datetime.combine(day, time(10, 0))) if day else None
    _play_outcome(invitation, outcome, at, extra, rup=rup, user=users.get(email))


def _play_outcome(invitation, outcome: str, at: datetime | None, extra, *, rup: User, user: User | None) -> None:
    """What the body did (or did not) with the link. No e-mail is queued for demo addresses."""
    if outcome in ("accepted", "declined", "opened_expired"):
        _dated(at - timedelta(minutes=30), lambda: invitation.mark_opened(now=at - timedelta(minutes=30)))
    if outcome == "accepted":
        subprocedures.save_contacts(invitation, [dict(zip(CONTACT_FIELDS, row, strict=True)) for row in extra])
        _dated(at, lambda: invitation.accept(user, now=at))
    elif outcome == "declined":
        _dated(at, lambda: invitation.decline(reason=extra, now=at))
    elif outcome == "revoked":
        _dated(at, lambda: invitation.revoke(by=rup, reason=extra, now=at))
    else:  # expired (perhaps after being opened); "resent": expired, then a new link now
        expired = invitation.expires_at + timedelta(minutes=1)
        _dated(expired, lambda: invitation.expire(now=expired))
    if outcome == "resent":
        now = utcnow()
        invitation.renew(subprocedures.new_token()[1], subprocedures.expiry_from(now), by=rup, now=now)


CONTACT_FIELDS = ("full_name", "role", "email", "phone")
