"""Demo ETS and their applications to the Bologna 2025 notice (bds-bologna-2025).

Every entity, person, code and address is fictional (names end in "(demo)", e-mail addresses
are on demo.coprog.it, the 11-digit codes only have a valid check digit). The story:

- the RUNTS mirror gets two lists in the real layout (data/): one of 30 June 2025, then the
  one of 25 September 2025, imported with the real importer; an APS listed in June is gone in
  September (removed), an association never appears (absent), an APS and an impresa sociale
  were registered less than 6 months before the 29 September deadline, and an ODV migrated
  from the regional register in June 2025 declares its earlier registration of 2012;
- one ETS user per organisation (the legal representative), and the demo ETS account of
  content.ACCOUNTS as a delegate of an admitted ODV, so that it sees real applications;
- applications submitted between 12 and 29 September 2025, in that order (protocol numbers
  1..N), with the eligibility verdict stored at submission; one replaced by a second version,
  one withdrawn, one still a draft; after the deadline the RUP's decisions: admitted,
  excluded, integration requested, each with its reason.

The notice is already closed when this runs: the submissions are replayed with the notice open
(see `_replaying`), at their dates (`now=`); audit rows get the same dates. No e-mail is left
in the outbox for these fictional addresses.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select, update
from stdnum.it import codicefiscale

from ..applications import services as applications
from ..applications.admission import publish_admitted_list
from ..applications.models import Application, ApplicationState, CoOptedKind
from ..auth.models import User
from ..core.models import AuditEntry
from ..core.roles import Role
from ..core.time import naive_utc, rome_to_utc
from ..extensions import db
from ..notices.models import Notice, NoticeState
from ..notify.models import OutboxMessage
from ..organisations.models import MemberRole, Membership, Organisation
from ..organisations.services import register_organisation, runts_prefill
from ..registry.importer import import_runts, latest_snapshot_date
from ..registry.models import RuntsImport
from . import content

DATA = Path(__file__).parent / "data"
# (file, snapshot date): imported in this order, the earlier list first
RUNTS_LISTS = (
    (DATA / "runts-demo-2025-06-30.csv", date(2025, 6, 30)),
    (DATA / "runts-demo.csv", date(2025, 9, 25)),
)
DEMO_DOMAIN = "demo.coprog.it"
LEGAL_REP = "Rappresentante Dimostrativo"
EARLIER_REGISTER = "Registro regionale delle organizzazioni di volontariato dell'Emilia-Romagna"
REGISTERED_AT = datetime(2025, 9, 3, 9, 30)  # Rome time: the demo ETS sign up on coprog
DECIDED_AT = datetime(2025, 10, 3, 11, 0)  # Rome time: the RUP's decisions
INTEGRATION_DUE = datetime(2025, 10, 8, 12, 0)  # Rome time: reply to the soccorso istruttorio
ADMITTED_PUBLISHED_AT = datetime(2025, 10, 10, 9, 0)  # Rome time: seed 002, admitted communicated


@dataclass(frozen=True)
class DemoEntity:
    key: str  # the local part of its addresses
    code: str  # codice fiscale (fictional, valid check digit)
    name: str
    section: str
    comune: str
    registered_on: date | None  # None: absent from the RUNTS lists
    axes: tuple[str, ...]
    districts: tuple[str, ...]
    experience: str
    declared: dict = field(default_factory=dict)  # declared data that differ from the RUNTS


# The organisations. Seats in the six districts of the AUSL; sections a-g.
ENTITIES = (
    DemoEntity("amici-quartiere", "91990010372", "ODV Amici del Quartiere (demo)", "a", "Bologna",
               date(2021, 11, 15), ("socialita", "abitare"), ("bologna",),
               "Da quattro anni animiamo un centro d'incontro di quartiere e accompagniamo persone in "
               "carico ai servizi di salute mentale in attività di socialità e volontariato."),
    DemoEntity("circolo-ricreativo", "91990020371", "APS Circolo Ricreativo Immaginario (demo)", "b",
               "Casalecchio di Reno", date(2022, 3, 10), ("socialita",), ("reno-lavino-samoggia",),
               "Laboratori di teatro e musica aperti, con percorsi di inclusione per giovani adulti."),
    DemoEntity("fondazione-solidale", "91990030370", "Fondazione Esempio Solidale ETS (demo)", "c",
               "San Lazzaro di Savena", date(2023, 6, 1), ("abitare", "lavoro"), ("savena-idice", "bologna"),
               "Sosteniamo progetti di abitare supportato e borse lavoro con fondi propri e donazioni."),
    DemoEntity("coop-lavoro", "91990040379", "Cooperativa Sociale Lavoro Dimostrativo (demo)", "d", "Budrio",
               date(2024, 2, 1), ("lavoro",), ("pianura-est",),
               "Cooperativa di tipo B: inserimenti lavorativi nella manutenzione del verde e nella "
               "ristorazione.",
               {"registro_imprese": "REA BO-000001 (dimostrativo), CCIAA di Bologna"}),
    DemoEntity("rete-esempio", "91990050378", "Rete Associativa Esempio (demo)", "e", "Bologna",
               date(2022, 5, 20), ("socialita", "abitare", "lavoro"), ("bologna", "pianura-ovest"),
               "Coordiniamo trenta associazioni aderenti in tutta l'area metropolitana.",
               {"declared_repertorio": "100050"}),  # a typo: the RUNTS says 100005, flagged
    DemoEntity("mutuo-soccorso", "91990060377", "Società di Mutuo Soccorso Fittizia (demo)", "f",
               "San Giovanni in Persiceto", date(2023, 1, 10), ("abitare",), ("pianura-ovest",),
               "Mutualità tra soci e un fondo per le spese dell'abitare dei soci in difficoltà."),
    DemoEntity("altri-orizzonti", "91990070376", "Associazione Altri Orizzonti ETS (demo)", "g",
               "Alto Reno Terme", date(2024, 9, 2), ("socialita",), ("appennino-bolognese",),
               "Escursioni e gruppi di cammino in Appennino con persone in carico ai CSM."),
    DemoEntity("nuove-idee", "91990080375", "APS Nuove Idee in Cammino (demo)", "b", "Zola Predosa",
               date(2025, 5, 5), ("lavoro",), ("reno-lavino-samoggia",),
               "Associazione nata nel 2025: orientamento al lavoro per giovani adulti."),
    DemoEntity("giovani-mani", "91990090374", "Impresa Sociale Giovani Mani (demo)", "d", "Castel Maggiore",
               date(2025, 7, 1), ("lavoro", "abitare"), ("pianura-est",),
               "Impresa sociale attiva dal 2016 come cooperativa, iscritta al RUNTS nel 2025: "
               "laboratori artigiani e tirocini.",
               {"registro_imprese": "REA BO-000002 (dimostrativo), CCIAA di Bologna"}),
    DemoEntity("sentieri-condivisi", "91990100371", "ODV Sentieri Condivisi (demo)", "a", "Monghidoro",
               date(2025, 6, 10), ("socialita",), ("savena-idice", "appennino-bolognese"),
               "Volontariato di prossimità nei comuni della montagna dal 2012.",
               {"earlier_register": EARLIER_REGISTER, "earlier_registered_on": date(2012, 4, 18)}),
    DemoEntity("fiaccola-spenta", "91990110370", "APS La Fiaccola Spenta (demo)", "b", "Crevalcore",
               date(2022, 2, 14), ("socialita",), ("pianura-ovest",),
               "Attività ricreative per anziani e famiglie."),
    DemoEntity("mai-iscritta", "91990120379", "Associazione Mai Iscritta (demo)", "g", "Valsamoggia",
               None, ("abitare",), ("reno-lavino-samoggia",),
               "Gruppo di famiglie che chiede di partecipare all'asse abitare.",
               {"declared_registered_on": date(2024, 3, 1)}),
    DemoEntity("ultimo-minuto", "91990130378", "ODV All'Ultimo Minuto (demo)", "a", "Bentivoglio",
               date(2023, 10, 5), ("socialita",), ("pianura-est",),
               "Domanda iniziata e mai presentata."),
    DemoEntity("polisportiva", "91990140377", "Polisportiva Dimostrativa APS (demo)", "b", "Anzola dell'Emilia",
               date(2022, 9, 12), ("socialita", "lavoro"), ("pianura-ovest", "bologna"),
               "Sport inclusivo e tornei misti con i servizi di salute mentale.",
               {"declared_registered_on": date(2022, 10, 12)}),  # a month off: flagged
)
BY_KEY = {entity.key: entity for entity in ENTITIES}

# (organisation key, submitted at, Rome time): in time order, so protocol numbers follow it.
# A key that appears twice submits a second version, which supersedes the first.
SUBMISSIONS = (
    ("amici-quartiere", datetime(2025, 9, 12, 16, 20)),
    ("circolo-ricreativo", datetime(2025, 9, 15, 10, 5)),
    ("mutuo-soccorso", datetime(2025, 9, 16, 9, 40)),
    ("fondazione-solidale", datetime(2025, 9, 17, 18, 30)),
    ("polisportiva", datetime(2025, 9, 19, 11, 15)),
    ("coop-lavoro", datetime(2025, 9, 22, 15, 0)),
    ("rete-esempio", datetime(2025, 9, 23, 10, 45)),
    ("fiaccola-spenta", datetime(2025, 9, 24, 17, 10)),
    ("altri-orizzonti", datetime(2025, 9, 25, 12, 30)),
    ("circolo-ricreativo", datetime(2025, 9, 26, 9, 20)),
    ("sentieri-condivisi", datetime(2025, 9, 26, 16, 45)),
    ("nuove-idee", datetime(2025, 9, 27, 10, 0)),
    ("giovani-mani", datetime(2025, 9, 28, 19, 5)),
    ("mai-iscritta", datetime(2025, 9, 29, 11, 52)),
)
WITHDRAWN = {"mutuo-soccorso": (datetime(2025, 9, 22, 11, 0),)}  # before the deadline
DRAFTS = {"ultimo-minuto": datetime(2025, 9, 27, 21, 30)}  # started, never submitted
SECOND_VERSION = {  # what changed in the second version: the experience, one more co-opted subject
    "circolo-ricreativo": (
        "Laboratori di teatro e musica aperti, con percorsi di inclusione per giovani adulti; dal 2026 "
        "anche un laboratorio di scenografia con una fondazione teatrale.",
        (CoOptedKind.FOUNDATION, "Fondazione Teatro Inventato (demo)", None, "teatro@demo.coprog.it",
         "Spazi e tecnici per i laboratori teatrali."),
    ),
}

# The RUP's decisions, after the deadline: (organisation key, state, reason)
DECISIONS = (
    ("amici-quartiere", ApplicationState.ADMITTED,
     "Requisiti verificati: iscrizione al RUNTS da oltre 6 mesi, dichiarazioni complete."),
    ("fondazione-solidale", ApplicationState.ADMITTED,
     "Requisiti verificati: ente filantropico iscritto al RUNTS dal 2023."),
    ("coop-lavoro", ApplicationState.ADMITTED,
     "Requisiti verificati; iscrizione al Registro imprese confermata."),
    ("polisportiva", ApplicationState.ADMITTED,
     "Requisiti verificati. La data di iscrizione dichiarata differisce da quella del RUNTS "
     "(12/09/2022): fa fede il RUNTS, il requisito dei 6 mesi è comunque soddisfatto."),
    ("sentieri-condivisi", ApplicationState.ADMITTED,
     "Ammessa per continuità dell'iscrizione: verificata presso la Regione l'iscrizione al registro "
     "regionale delle ODV dal 18/04/2012, prima della trasmigrazione al RUNTS."),
    ("giovani-mani", ApplicationState.ADMITTED,
     "Verificata nel Registro imprese l'iscrizione come impresa sociale dal 2016: requisito di "
     "anzianità soddisfatto."),
    ("nuove-idee", ApplicationState.EXCLUDED,
     "Esclusa: iscritta al RUNTS dal 05/05/2025, meno di 6 mesi prima della scadenza del "
     "29/09/2025, e senza iscrizione precedente in un registro regionale."),
    ("fiaccola-spenta", ApplicationState.EXCLUDED,
     "Esclusa: l'ente non risulta più iscritto al RUNTS (assente dall'elenco del 25/09/2025)."),
    ("mai-iscritta", ApplicationState.EXCLUDED,
     "Esclusa: l'ente non risulta iscritto al RUNTS; i soggetti non iscritti possono partecipare "
     "solo se cooptati da un ETS che abbia presentato domanda."),
    ("altri-orizzonti", ApplicationState.INTEGRATION_REQUESTED,
     "Soccorso istruttorio: manca la carica del referente per i tavoli e la dichiarazione "
     "sostitutiva non è firmata. Inviare l'integrazione entro l'8 ottobre 2025 alle 12:00."),
)

# Co-opted subjects (soggetti cooptati): (organisation key, kind, name, code, contact, role)
CO_OPTED = (
    ("amici-quartiere", CoOptedKind.INFORMAL_GROUP, "Gruppo di cammino del Quartiere Immaginario (demo)",
     None, "gruppo.cammino@demo.coprog.it", "Uscite settimanali aperte alle persone seguite dal CSM."),
    ("amici-quartiere", CoOptedKind.CITIZEN, "Cittadino Volenteroso (demo)", None, "",
     "Mette a disposizione due pomeriggi alla settimana per l'orto condiviso."),
    ("fondazione-solidale", CoOptedKind.RELIGIOUS, "Parrocchia di San Fittizio (demo)", None,
     "parrocchia@demo.coprog.it", "Locali per incontri e un alloggio per l'abitare supportato."),
    ("coop-lavoro", CoOptedKind.COMPANY, "Impresa Dimostrativa del Verde S.r.l. (demo)", "91990150376",
     "verde@demo.coprog.it", "Tre posti di tirocinio all'anno nella manutenzione del verde."),
    ("coop-lavoro", CoOptedKind.ASSOCIATION, "Associazione Commercianti Immaginari (demo)", None,
     "", "Contatti con le attività del territorio per gli inserimenti lavorativi."),
)


@dataclass
class _Story:
    notice: Notice
    rup: User
    users: dict[str, User]  # by organisation key
    organisations: dict[str, Organisation]
    current: dict[str, Application] = field(default_factory=dict)  # latest version per key


def ensure_demo_applications(notice: Notice, accounts: dict[str, User], report) -> None:
    """The RUNTS lists, the demo ETS with their users, and their applications. Idempotent."""
    _import_runts_lists(report)
    users = {entity.key: _ensure_user(entity, report) for entity in ENTITIES}
    organisations = {entity.key: _ensure_organisation(entity, users[entity.key], report) for entity in ENTITIES}
    _ensure_member(organisations["amici-quartiere"], accounts["ets@demo.coprog.it"])
    has_applications = db.session.scalar(
        select(func.count(Application.id)).where(
            Application.notice_id == notice.id,
            Application.organisation_id.in_([o.id for o in organisations.values()]),
        )
    )
    if has_applications:
        report.existing.append("domande dimostrative")
        return
    story = _Story(notice, accounts["rup@demo.coprog.it"], users, organisations)
    outbox_before = db.session.scalar(select(func.max(OutboxMessage.id))) or 0
    with _replaying(notice):
        _submit_all(story)
    _decide(story)
    with dated(ADMITTED_PUBLISHED_AT):
        publish_admitted_list(notice, by=story.rup, now=rome_to_utc(ADMITTED_PUBLISHED_AT))
    # The receipts went to fictional addresses: nothing to send.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id > outbox_before))
    db.session.flush()
    report.created.append(f"{len(SUBMISSIONS)} domande dimostrative e {len(DRAFTS)} bozza")


# RUNTS ----------------------------------------------------------------------------------------


def _import_runts_lists(report) -> None:
    """Import the demo lists into a mirror that holds no other list (or only these)."""
    for path, snapshot in RUNTS_LISTS:
        done = db.session.scalar(
            select(func.count(RuntsImport.id)).where(
                RuntsImport.file_name == path.name, RuntsImport.snapshot_date == snapshot
            )
        )
        if done:
            report.existing.append(f"elenco RUNTS {path.name}")
            continue
        latest = latest_snapshot_date()
        if (latest is not None and latest > snapshot) or _other_lists():
            # A real list is there: a demo list would mark its entities as removed.
            report.existing.append(f"elenco RUNTS {path.name} non importato: il RUNTS contiene già altri elenchi")
            return
        result = import_runts(path, snapshot_date=snapshot)
        report.created.append(
            f"elenco RUNTS {path.name} del {snapshot:%d/%m/%Y}: {result.inserted} inseriti, "
            f"{result.updated} aggiornati, {result.removed} cancellati"
        )


def _other_lists() -> bool:
    names = [path.name for path, _snapshot in RUNTS_LISTS]
    return bool(db.session.scalar(select(func.count(RuntsImport.id)).where(RuntsImport.file_name.not_in(names))))


# Users and organisations ----------------------------------------------------------------------


def legal_rep_code(n: int) -> str:
    """A fictional person's codice fiscale (Rappresentante Dimostrativo, born in Bologna)."""
    body = f"DMSRPS{80 + n % 20:02d}A{n % 28 + 1:02d}A944"
    return body + codicefiscale.calc_check_digit(body)


def user_email(entity: DemoEntity) -> str:
    return f"rappresentante.{entity.key}@{DEMO_DOMAIN}"


def _ensure_user(entity: DemoEntity, report) -> User:
    email = user_email(entity)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None:
        return user
    user = User(
        email=email, full_name=f"{LEGAL_REP} – {entity.name}", role=Role.ETS, is_demo=True,
        email_verified_at=naive_utc(rome_to_utc(REGISTERED_AT - timedelta(minutes=20))),
    )
    user.set_password(content.DEMO_PASSWORD)
    db.session.add(user)
    db.session.flush()
    report.created.append(f"utente {email}")
    return user


def _ensure_organisation(entity: DemoEntity, user: User, report) -> Organisation:
    existing = db.session.scalar(select(Organisation).where(Organisation.codice_fiscale == entity.code))
    if existing is not None:
        return existing
    data = runts_prefill(entity.code) or {
        "name": entity.name, "runts_section": entity.section, "seat_comune": entity.comune, "seat_province": "BO",
    }
    data |= {"email": f"info.{entity.key}@{DEMO_DOMAIN}", "pec": f"{entity.key}@pec.{DEMO_DOMAIN}",
             "phone": "051 000 0000"}
    with dated(REGISTERED_AT):
        organisation = register_organisation(entity.code, data, MemberRole.LEGAL_REPRESENTATIVE, by=user)
    organisation.created_at = naive_utc(rome_to_utc(REGISTERED_AT))
    report.created.append(f"ente {entity.name}")
    return organisation


def _ensure_member(organisation: Organisation, user: User) -> None:
    """The demo ETS account acts for this organisation as a delegate."""
    if not organisation.has_member(user):
        organisation.members.append(Membership(user_id=user.id, role=MemberRole.DELEGATE))
        db.session.flush()


# Applications ---------------------------------------------------------------------------------


@contextmanager
def _replaying(notice: Notice):
    """The notice as it was while open. The demo is loaded after its deadline, when the notice is
    closed and refuses submissions whatever the date: for the replay of September 2025 its state
    is set back to published, without an audit row, and restored right after (with the time of
    its last change). Submissions are still checked against the deadline with their `now`."""
    state, updated_at = notice.state, notice.updated_at
    notice.state = NoticeState.PUBLISHED
    try:
        yield
    finally:
        notice.state = state
        db.session.flush()
        db.session.execute(update(Notice).where(Notice.id == notice.id).values(updated_at=updated_at))
        db.session.expire(notice, ["updated_at"])


@contextmanager
def dated(at: datetime):
    """Date the audit rows written inside the block at `at` (Rome time): a past story."""
    db.session.flush()
    before = db.session.scalar(select(func.max(AuditEntry.id))) or 0
    yield
    db.session.flush()
    db.session.execute(update(AuditEntry).where(AuditEntry.id > before).values(at=naive_utc(rome_to_utc(at))))


def _draft(story: _Story, key: str, started: datetime) -> Application:
    entity, user = BY_KEY[key], story.users[key]
    notice = story.notice
    with dated(started):
        application = applications.start_draft(notice, story.organisations[key], by=user)
    application.created_at = naive_utc(rome_to_utc(started))
    if application.version > 1:
        experience, (kind, name, code, contact, role) = SECOND_VERSION[key]
        applications.save_draft(application, {"experience": experience})
        applications.add_co_opted(application, dict(kind=kind, name=name, code=code, contact=contact, role=role))
        return application
    n = ENTITIES.index(entity) + 1
    data = {
        "applicant_role": MemberRole.LEGAL_REPRESENTATIVE.value,
        "legal_rep_name": LEGAL_REP,
        "legal_rep_cf": legal_rep_code(n),
        "legal_rep_role": "Presidente",
        "declared_section": entity.section,
        "declared_repertorio": f"1000{n:02d}" if entity.registered_on else "",
        "declared_registered_on": entity.registered_on,
        "experience": entity.experience,
        "table_contact_name": f"Referente Dimostrativo {n}",
        "table_contact_email": f"referente.{key}@{DEMO_DOMAIN}",
        "table_contact_phone": "051 000 0000",
        "axis_ids": [a.id for a in notice.axes if a.code in entity.axes],
        "district_ids": [d.id for d in notice.districts if d.code in entity.districts],
        **{name: True for name in ("dsan_no_exclusion", "dsan_no_conflict", "dsan_accepts_notice",
                                   "dsan_truthful", "privacy_ack")},
        **entity.declared,
    }
    if key == "altri-orizzonti":
        data["table_contact_name"] = "Referente Dimostrativo (carica da indicare)"
    applications.save_draft(application, data)
    for _key, kind, name, code, contact, role in (c for c in CO_OPTED if c[0] == key):
        applications.add_co_opted(application, dict(kind=kind, name=name, code=code, contact=contact, role=role))
    return application


def _submit_all(story: _Story) -> None:
    events = [(at, "submit", key) for key, at in SUBMISSIONS]
    events += [(at, "withdraw", key) for key, dates in WITHDRAWN.items() for at in dates]
    events += [(at, "draft", key) for key, at in DRAFTS.items()]
    for at, action, key in sorted(events):
        user = story.users[key]
        if action == "draft":
            _draft(story, key, at)
        elif action == "withdraw":
            with dated(at):
                applications.withdraw(story.current[key], by=user, now=rome_to_utc(at))
        else:
            application = _draft(story, key, at - timedelta(hours=1, minutes=15))
            with dated(at):
                applications.submit(application.id, story.notice.id, by=user, now=rome_to_utc(at))
            story.current[key] = application


def _decide(story: _Story) -> None:
    for n, (key, state, reason) in enumerate(DECISIONS):
        at = DECIDED_AT + timedelta(minutes=7 * n)
        application = story.current[key]
        with dated(at):
            application.move(state, by=story.rup, reason=reason, now=rome_to_utc(at))
        if state == ApplicationState.INTEGRATION_REQUESTED:
            application.integration_due = naive_utc(rome_to_utc(INTEGRATION_DUE))
    db.session.flush()
