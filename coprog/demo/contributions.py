"""Demo contributions to the resource mapping of the Bologna 2025 procedure (bds-bologna-2025).

Who / what / how on every axis in every district, placed at the point of a real comune of the
district, written from the directions of seed 002 (abitare accompagnato, coabitazioni, facilitatori
dell'abitare, fondi di garanzia; filiere, job coach, tirocini, formazione allineata; spazi ibridi,
volontariato di prossimità, mappa delle opportunità):

- online, from the demo's admitted ETS (for themselves and for their co-opted subjects), from
  the body that accepted the sub-procedure's invitation, and from AUSL staff for public services
  named by text (a Comune's or an Unione's social services, the libraries);
- at the tables: the demo facilitator turns Part 2 directions of the published verbali into
  contributions (source "tavolo", with the direction and the session), the day after the session.
  The housing agency sat at the Abitare table of Pianura Est: it is the sub-procedure's invitee
  if it accepted, else it is named by text (its invitation is still open in the demo).

Everything goes through the real use-cases (`submit_contribution`, `moderate`), dated between the
first table (29 October 2025) and the public restitution (15 December 2025), with the audit rows
dated alike. AUSL staff approve most contributions two working days later; a few are still
waiting for moderation and one is rejected with its reason, so that staff pages show every
state. Deterministic, and loaded once: a second run finds them and adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, func, select

from ..actors.models import ActorKind
from ..actors.services import accepted_invitations, actor_key, name_actor, resolve_all
from ..applications.admission import admitted
from ..auth.models import User
from ..core.time import naive_utc, rome_to_utc
from ..extensions import db
from ..mapping.models import Contribution, ContributionSource, ContributionState, OfferMode
from ..mapping.services.contributions import moderate as moderate_contribution
from ..mapping.services.contributions import resource_types_of, submit_contribution
from ..notices.models import Notice
from ..notify.models import OutboxMessage
from ..organisations.models import MemberRole
from ..tables.models import TableSession
from ..territory.models import Axis, Comune, District
from .applications import BY_KEY, dated
from .minutes import _group_keys, rome_day

COPRODUCTION, SUPPORT, AVAILABLE = OfferMode.CO_PRODUCTION, OfferMode.SUPPORT, OfferMode.MAKING_AVAILABLE
NETWORKING, FUNDING = OfferMode.NETWORKING, OfferMode.FUNDING
YEAR_2026 = (date(2026, 1, 1), date(2026, 12, 31))
MODERATED_AFTER_WORKING_DAYS = 2
MODERATOR = "personale@demo.coprog.it"
FACILITATOR = "facilitatore@demo.coprog.it"
STAFF = "personale@demo.coprog.it"  # enters the public services' own offers
HOUSING_AGENCY = "ente_abitare_pubblico"  # the invitee's body kind (content.INVITEES)


@dataclass(frozen=True)
class DemoContribution:
    """One contribution. `actor` and `collaborators` are references: "ets:<demo key>",
    "co:<co-opted subject>", "inv:<invited body>", "body:<invitee kind>" (the invitee if it
    accepted, else named by text), "pub:<public service>", "altro:<other subject>". `table`:
    (axis, table groups of the session, start of the Part 2 direction's text); `at` (Rome
    time) for online ones. `outcome`: approved, submitted (waiting) or rejected (`reason`)."""

    actor: str
    axis: str
    kind: str
    mode: OfferMode
    comune: str
    description: str
    capacity: int | None = None
    unit: str = ""
    period: tuple[date | None, date | None] = (None, None)
    collaborators: tuple[str, ...] = ()
    address: str = ""
    table: tuple[str, tuple[str, ...], str] | None = None
    at: datetime | None = None
    outcome: str = "approved"
    reason: str = ""


C = DemoContribution
BOLOGNA_SOCIAL = "pub:Comune di Bologna – Servizio sociale territoriale"
VERDE = "co:Impresa Dimostrativa del Verde S.r.l. (demo)"
COMMERCIANTI = "co:Associazione Commercianti Immaginari (demo)"
CAMMINO = "co:Gruppo di cammino del Quartiere Immaginario (demo)"
PARROCCHIA = "co:Parrocchia di San Fittizio (demo)"
FONDAZIONE = "inv:Fondazione Esempio per la Comunità"
LIBRARIES = "pub:Biblioteche e centri culturali comunali"

# From the Part 2 directions of the published verbali (the facilitator, the day after the table).
FROM_TABLES = (
    C("pub:Centro per l'impiego del distretto", "lavoro", "competenze", NETWORKING, "Casalecchio di Reno",
      "Un operatore del centro per l'impiego dedicato alle persone con Budget di Salute: colloqui di "
      "orientamento e iscrizione al collocamento mirato, con una scheda di percorso condivisa con i servizi.",
      20, "colloqui al mese", YEAR_2026,
      ("ets:coop-lavoro", "pub:Unione dei Comuni Valli del Reno, Lavino e Samoggia"),
      table=("lavoro", ("appennino-rls",), "Filiere integrate e continue")),
    C(VERDE, "lavoro", "inserimenti_lavorativi", AVAILABLE, "Bologna",
      "Tre tirocini all'anno nella manutenzione del verde pubblico, con un tutor aziendale e la "
      "possibilità di un'assunzione alla fine del percorso.",
      3, "posti di tirocinio", (date(2026, 2, 1), date(2026, 12, 31)), ("ets:coop-lavoro", COMMERCIANTI),
      table=("lavoro", ("bologna-ovest",), "Più opportunità e più varie")),
    C("ets:giovani-mani", "lavoro", "figure_professionali", COPRODUCTION, "Castel Maggiore",
      "Un job coach che segue la persona prima, durante e dopo il tirocinio e sostiene anche "
      "l'impresa che la accoglie.",
      20, "ore settimanali", YEAR_2026, ("ets:coop-lavoro",),
      table=("lavoro", ("pianura-est",), "Accompagnamento personalizzato")),
    C("altro:Enti di formazione professionale del territorio", "lavoro", "formazione", COPRODUCTION,
      "San Giovanni in Persiceto",
      "Corsi brevi di logistica di magazzino e di aiuto cucina, co-progettati con le cooperative sui "
      "profili richiesti dalle imprese della zona.",
      12, "partecipanti per corso", (date(2026, 3, 1), date(2026, 6, 30)), ("ets:giovani-mani",),
      table=("lavoro", ("pianura-ovest",), "Formazione allineata al mercato del lavoro")),
    C("pub:Unione dei Comuni Savena-Idice", "lavoro", "competenze", NETWORKING, "Ozzano dell'Emilia",
      "Un tavolo mensile dei referenti dell'inserimento lavorativo (servizi sociali, CSM, centro per "
      "l'impiego, cooperative) con una scheda di percorso unica per ogni persona.",
      collaborators=("ets:coop-lavoro", "pub:Centro per l'impiego del distretto"),
      table=("lavoro", ("savena-idice",), "Filiere integrate e continue")),
    C("pub:Unione dei Comuni dell'Appennino Bolognese", "abitare", "abitazioni", AVAILABLE, "Vergato",
      "Due mini-alloggi comunali sfitti, da rimettere in uso con piccoli lavori, destinati all'abitare "
      "di transizione.",
      2, "alloggi", (date(2026, 4, 1), None), ("ets:fondazione-solidale",),
      table=("abitare", ("appennino-rls",), "Usare meglio le risorse abitative")),
    C("ets:amici-quartiere", "abitare", "figure_professionali", COPRODUCTION, "Bologna",
      "Un facilitatore dell'abitare per i quartieri Navile e Saragozza: sostiene la persona nella "
      "gestione della casa e media con il proprietario e con il vicinato.",
      15, "ore settimanali", YEAR_2026, (CAMMINO, BOLOGNA_SOCIAL),
      table=("abitare", ("bologna-ovest",), "Figure dell'accompagnamento all'abitare")),
    C("ets:fondazione-solidale", "abitare", "finanziamenti", FUNDING, "Bologna",
      "Un fondo di garanzia che copre morosità e piccoli danni fino a dodici mensilità, per convincere "
      "i proprietari privati ad affittare a chi ha un progetto di Budget di Salute.",
      30000, "euro", (date(2026, 1, 1), date(2027, 12, 31)), ("altro:Banche del territorio",),
      table=("abitare", ("bologna-est",), "Fondi e strutture di garanzia")),
    C(f"body:{HOUSING_AGENCY}", "abitare", "abitazioni", AVAILABLE, "San Giorgio di Piano",
      "Una ricognizione degli alloggi pubblici sfitti della Pianura Est e quattro alloggi a canone "
      "calmierato riservati a progetti di abitare di transizione, con l'accompagnamento di un ente del "
      "Terzo settore.",
      4, "alloggi", (date(2026, 1, 1), date(2028, 12, 31)), ("pub:Unione Reno Galliera", "ets:fondazione-solidale"),
      table=("abitare", ("pianura-est",), "Usare meglio le risorse abitative")),
    C("ets:giovani-mani", "abitare", "abitazioni", COPRODUCTION, "San Giovanni in Persiceto",
      "Un appartamento in coabitazione per due persone, con regole di convivenza costruite insieme e "
      "una presenza educativa leggera nei primi sei mesi.",
      2, "posti letto", YEAR_2026, ("pub:Unione Terred'acqua", "ets:amici-quartiere"),
      table=("abitare", ("pianura-ovest",), "Coabitazioni e abitare accompagnato")),
    C(PARROCCHIA, "abitare", "abitazioni", AVAILABLE, "Pianoro",
      "Un mini-appartamento per due persone nei locali della parrocchia, in comodato d'uso, per "
      "l'abitare supportato con l'accompagnamento di un ente del Terzo settore.",
      2, "posti letto", (date(2026, 1, 1), None), ("ets:fondazione-solidale",),
      table=("abitare", ("savena-idice",), "Collaborazioni con soggetti partner")),
    C("ets:polisportiva", "socialita", "formazione", COPRODUCTION, "Casalecchio di Reno",
      "Un corso di quattro incontri per allenatori e volontari delle società sportive sull'accoglienza "
      "di persone con fragilità psichica, co-condotto da persone con esperienza diretta.",
      20, "partecipanti", (date(2026, 2, 1), date(2026, 5, 31)), ("ets:sentieri-condivisi",),
      table=("socialita", ("appennino-rls",), "Preparare le realtà locali")),
    C(LIBRARIES, "socialita", "competenze", NETWORKING, "Vergato",
      "Una mappa aggiornata delle opportunità culturali, sportive e di volontariato dei comuni della "
      "montagna, presentata nelle équipe dei servizi.",
      collaborators=("ets:polisportiva", "ets:amici-quartiere"),
      table=("socialita", ("appennino-rls",), "Sapere cosa offre il territorio")),
    C(BOLOGNA_SOCIAL, "socialita", "spazi", AVAILABLE, "Bologna",
      "Uno spazio di quartiere aperto il venerdì sera e la domenica pomeriggio, con un patto di "
      "collaborazione, curato da volontari e operatori.",
      40, "persone", YEAR_2026, (PARROCCHIA, "ets:amici-quartiere"),
      table=("socialita", ("bologna-ovest", "bologna-est"), "Spazi informali e ibridi")),
    C(FONDAZIONE, "socialita", "finanziamenti", FUNDING, "Bologna",
      "Un bando per laboratori di comunità che uniscono socialità, formazione e piccoli lavori, aperto "
      "alle reti di enti del Terzo settore.",
      25000, "euro", (date(2026, 2, 1), date(2026, 11, 30)), ("ets:giovani-mani",),
      table=("socialita", ("bologna-ovest", "bologna-est"), "Contesti ibridi")),
)

# Sent online by the contributors themselves (or by AUSL staff for the public services).
ONLINE = (
    C("ets:coop-lavoro", "lavoro", "inserimenti_lavorativi", COPRODUCTION, "Budrio",
      "Inserimenti lavorativi nella manutenzione del verde e nella ristorazione della cooperativa di "
      "tipo B, con la possibilità di un'assunzione.",
      8, "posti di tirocinio", YEAR_2026, (VERDE, COMMERCIANTI),
      address="Via del Lavoro Immaginario 3 (indirizzo dimostrativo)", at=datetime(2025, 11, 3, 9, 45)),
    C("ets:polisportiva", "lavoro", "inserimenti_lavorativi", COPRODUCTION, "Bologna",
      "Tirocini di custodia e piccola manutenzione degli impianti sportivi, con un tutor della polisportiva.",
      4, "posti di tirocinio", YEAR_2026, (BOLOGNA_SOCIAL,), at=datetime(2025, 11, 4, 10, 30)),
    C("ets:fondazione-solidale", "lavoro", "finanziamenti", FUNDING, "San Lazzaro di Savena",
      "Cinque borse lavoro finanziate con fondi propri e donazioni, per tirocini nelle imprese della "
      "prima cintura.",
      5, "borse lavoro", YEAR_2026, ("pub:Unione dei Comuni Savena-Idice",), at=datetime(2025, 11, 5, 16, 0)),
    C(COMMERCIANTI, "lavoro", "competenze", NETWORKING, "Molinella",
      "Contatti con i negozi e le attività artigiane di Budrio e Molinella disponibili ad accogliere "
      "tirocini, e un incontro di presentazione per i commercianti.",
      collaborators=("ets:coop-lavoro",), at=datetime(2025, 11, 6, 18, 20)),
    C("ets:amici-quartiere", "abitare", "abitazioni", COPRODUCTION, "Bologna",
      "Un appartamento in coabitazione per tre persone nel quartiere Navile, con un accompagnamento "
      "educativo leggero e incontri mensili con l'équipe del CSM.",
      3, "posti letto", YEAR_2026, (CAMMINO, "ets:fondazione-solidale"),
      address="Via dell'Esempio 12 (indirizzo dimostrativo)", at=datetime(2025, 11, 14, 11, 0)),
    C("ets:amici-quartiere", "abitare", "abitazioni", COPRODUCTION, "Bologna",
      "Appartamento in coabitazione nel quartiere Navile.",
      3, "posti letto", at=datetime(2025, 11, 17, 18, 10), outcome="rejected",
      reason="Il contributo ripete quello inviato il 14 novembre per lo stesso appartamento: per "
             "aggiungere informazioni, chiedere di modificare quello."),
    C("ets:sentieri-condivisi", "abitare", "volontariato", SUPPORT, "Castiglione dei Pepoli",
      "Volontari per la vita quotidiana di chi vive da solo in montagna: spesa, commissioni, "
      "accompagnamento alle visite.",
      10, "volontari", collaborators=("pub:Unione dei Comuni dell'Appennino Bolognese",),
      at=datetime(2025, 11, 18, 17, 30)),
    C("ets:fondazione-solidale", "abitare", "finanziamenti", FUNDING, "San Lazzaro di Savena",
      "Un contributo all'affitto per sei mesi a chi esce da una struttura residenziale e aspetta un "
      "alloggio stabile.",
      4, "contributi", YEAR_2026, (PARROCCHIA,), at=datetime(2025, 11, 20, 12, 0)),
    C("ets:amici-quartiere", "socialita", "attivita_sociali", COPRODUCTION, "Bologna",
      "Un orto condiviso nel quartiere, due pomeriggi alla settimana, curato insieme ai volontari.",
      15, "partecipanti", (date(2026, 3, 1), date(2026, 10, 31)), ("co:Cittadino Volenteroso (demo)", CAMMINO),
      at=datetime(2025, 11, 26, 16, 0)),
    C("ets:sentieri-condivisi", "socialita", "attivita_sociali", COPRODUCTION, "Lizzano in Belvedere",
      "Gruppi di cammino settimanali sui sentieri dell'Appennino, aperti alle persone seguite dal CSM e "
      "ai loro familiari.",
      15, "partecipanti", YEAR_2026, (CAMMINO,), at=datetime(2025, 11, 26, 18, 0)),
    C("ets:polisportiva", "socialita", "attivita_sociali", COPRODUCTION, "Anzola dell'Emilia",
      "Calcio a 5 e pallavolo misti, due allenamenti alla settimana nella palestra comunale.",
      24, "partecipanti", YEAR_2026, ("pub:Unione Terred'acqua",), at=datetime(2025, 11, 26, 20, 0)),
    C(CAMMINO, "socialita", "attivita_sociali", COPRODUCTION, "Bologna",
      "Uscite a piedi ogni mercoledì in città, aperte alle persone seguite dal CSM e ai loro familiari.",
      20, "partecipanti", collaborators=("ets:amici-quartiere",), at=datetime(2025, 11, 27, 9, 30)),
    C(FONDAZIONE, "lavoro", "finanziamenti", FUNDING, "Vergato",
      "Sei borse lavoro per tirocini in aziende agricole e forestali dell'Appennino, con un contributo "
      "mensile alla persona.",
      6, "borse lavoro", YEAR_2026, ("pub:Unione dei Comuni dell'Appennino Bolognese", "ets:coop-lavoro"),
      at=datetime(2025, 11, 27, 15, 0)),
    C("ets:sentieri-condivisi", "socialita", "volontariato", SUPPORT, "Monghidoro",
      "Volontariato di prossimità: visite e compagnia a domicilio a Monghidoro e Loiano.",
      12, "volontari", collaborators=("pub:Unione dei Comuni Savena-Idice",), at=datetime(2025, 11, 27, 18, 0)),
    C("ets:polisportiva", "socialita", "attivita_sociali", COPRODUCTION, "Zola Predosa",
      "Nuoto libero accompagnato il sabato mattina nella piscina comunale, con istruttori formati.",
      16, "partecipanti", YEAR_2026, ("ets:sentieri-condivisi",), at=datetime(2025, 11, 28, 9, 0)),
    C("ets:giovani-mani", "socialita", "attivita_sociali", COPRODUCTION, "Castel Maggiore",
      "Un laboratorio artigiano aperto (falegnameria e restauro) il sabato mattina.",
      10, "partecipanti", YEAR_2026, ("ets:coop-lavoro",), at=datetime(2025, 11, 28, 10, 0)),
    C(LIBRARIES, "socialita", "attivita_sociali", AVAILABLE, "Bologna",
      "Un gruppo di lettura mensile e il prestito accompagnato nelle biblioteche di quartiere.",
      12, "partecipanti", YEAR_2026, ("ets:amici-quartiere",), at=datetime(2025, 12, 1, 11, 0)),
    C(FONDAZIONE, "abitare", "finanziamenti", FUNDING, "Zola Predosa",
      "Un contributo alle spese di avvio di due coabitazioni: arredi, allacci delle utenze e deposito "
      "cauzionale.",
      12000, "euro", YEAR_2026, ("pub:Unione dei Comuni Valli del Reno, Lavino e Samoggia",),
      at=datetime(2025, 12, 2, 10, 0)),
    C("pub:Unione dei Comuni Terre di Pianura", "socialita", "attivita_sociali", SUPPORT, "Molinella",
      "Un trasporto sociale il giovedì sera, con autisti volontari, per raggiungere le attività del territorio.",
      8, "posti", YEAR_2026, ("altro:Aziende di trasporto pubblico locale",), at=datetime(2025, 12, 3, 9, 15)),
    # still waiting for moderation
    C("ets:polisportiva", "socialita", "spazi", AVAILABLE, "Sant'Agata Bolognese",
      "La sala della polisportiva, il martedì sera, per gruppi di mutuo aiuto tra pari.",
      15, "persone", YEAR_2026, at=datetime(2025, 12, 9, 21, 0), outcome="submitted"),
    C("ets:polisportiva", "lavoro", "formazione", COPRODUCTION, "Anzola dell'Emilia",
      "Un percorso formativo per assistente istruttore sportivo, con tirocinio nelle attività estive.",
      8, "partecipanti", (date(2026, 3, 1), date(2026, 9, 30)), at=datetime(2025, 12, 10, 17, 40),
      outcome="submitted"),
    C("ets:giovani-mani", "abitare", "formazione", COPRODUCTION, "Castel Maggiore",
      "Un laboratorio di piccola manutenzione domestica per imparare a gestire la propria casa.",
      8, "partecipanti", YEAR_2026, ("ets:amici-quartiere",), at=datetime(2025, 12, 11, 12, 0),
      outcome="submitted"),
    C(FONDAZIONE, "socialita", "spazi", AVAILABLE, "Ozzano dell'Emilia",
      "Uno spazio ibrido (caffè letterario) nei locali della fondazione, aperto due sere alla settimana.",
      25, "persone", YEAR_2026, ("ets:sentieri-condivisi",), at=datetime(2025, 12, 12, 10, 0),
      outcome="submitted"),
)
DEMO_CONTRIBUTIONS = FROM_TABLES + ONLINE
TABLE_DAY_AFTER = time(10, 0)  # Rome: the facilitator records the table's contributions


class _Cast:
    """Who the references name in the procedure (actor keys for `resolve_all`), and who sends a
    contribution online for each actor."""

    def __init__(self, notice: Notice, accounts: dict[str, User]):
        self.procedure, self.accounts = notice.procedure, accounts
        names = {entity.name: key for key, entity in BY_KEY.items()}
        self.keys: dict[str, str] = {}
        self.senders: dict[str, User] = {}
        for application in admitted(notice):
            representative = _legal_representative(application.organisation)
            if application.organisation.name in names:
                ref = f"ets:{names[application.organisation.name]}"
                self.keys[ref], self.senders[ref] = f"org:{application.organisation_id}", representative
            for subject in application.co_opted:  # the ETS contributes for its co-opted subjects
                self.keys[f"co:{subject.name}"], self.senders[f"co:{subject.name}"] = f"co:{subject.id}", representative
        self.invitations = accepted_invitations(notice.procedure)
        for invitation in self.invitations:
            self.keys[f"inv:{invitation.body_name}"], self.senders[f"inv:{invitation.body_name}"] = (
                f"inv:{invitation.id}", invitation.user)

    def key(self, ref: str) -> str:
        """The actor key of a reference; subjects named by text are created (by staff) here."""
        if ref in self.keys:
            return self.keys[ref]
        prefix, _sep, name = ref.partition(":")
        if prefix == "body":
            return self._body(name)
        kind = {"pub": ActorKind.PUBLIC_SERVICE, "altro": ActorKind.OTHER}.get(prefix)
        if kind is None:
            raise LookupError(f"demo contribution: {ref} is not an actor of the procedure")
        actor = name_actor(self.procedure, kind, name, by=self.accounts[STAFF])
        self.keys[ref] = actor_key(actor)
        return self.keys[ref]

    def _body(self, body_kind: str) -> str:
        """The invitee of that kind if it accepted; else the same body named by text."""
        from .content import INVITEES

        accepted = next((i for i in self.invitations if i.body_kind.value == body_kind), None)
        if accepted is not None:
            self.senders[f"body:{body_kind}"] = accepted.user
            return f"inv:{accepted.id}"
        name = next(name for kind, name, *_rest in INVITEES if kind == body_kind)
        return self.key(f"pub:{name}")

    def sender(self, ref: str) -> User:
        return self.senders.get(ref) or self.accounts[STAFF]


def _legal_representative(organisation) -> User | None:
    return next((m.user for m in organisation.members if m.role == MemberRole.LEGAL_REPRESENTATIVE), None)


def ensure_demo_contributions(notice: Notice, accounts: dict[str, User], report) -> None:
    procedure = notice.procedure
    first = DEMO_CONTRIBUTIONS[0].description
    if db.session.scalar(select(func.count(Contribution.id)).where(
            Contribution.procedure_id == procedure.id, Contribution.description == first)):
        report.existing.append("contributi della mappatura")
        return
    authority = procedure.authority
    cast = _Cast(notice, accounts)
    axes = {a.code: a for a in db.session.scalars(select(Axis).where(Axis.authority_id == authority.id))}
    kinds = {t.code: t for t in resource_types_of(authority)}
    comuni = {c.name: c for c in db.session.scalars(
        select(Comune).join(District).where(District.authority_id == authority.id))}
    sessions = _sessions(procedure)
    outbox_before = db.session.scalar(select(func.max(OutboxMessage.id))) or 0
    for item in sorted(DEMO_CONTRIBUTIONS, key=lambda c: _submitted_at(c, sessions)):
        keys = [cast.key(item.actor), *(cast.key(ref) for ref in item.collaborators)]
        actor, *collaborators = resolve_all(procedure, keys, by=accounts[STAFF])
        comune = comuni[item.comune]
        data = {
            "actor": actor, "collaborators": collaborators, "axis_id": axes[item.axis].id,
            "resource_type_id": kinds[item.kind].id, "description": item.description,
            "offer_mode": item.mode.value, "district_id": comune.district_id, "comune_id": comune.id,
            "address": item.address, "capacity": item.capacity, "capacity_note": item.unit,
            "available_from": item.period[0], "available_until": item.period[1],
        }
        _play(procedure, item, data, cast, sessions, accounts)
    # Moderation may notify the contributors: fictional addresses, nothing to send.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id > outbox_before))
    db.session.flush()
    published = sum(c.outcome == "approved" for c in DEMO_CONTRIBUTIONS)
    report.created.append(f"{len(DEMO_CONTRIBUTIONS)} contributi della mappatura ({published} pubblicati)")


def _sessions(procedure) -> dict[tuple[str, tuple[str, ...]], TableSession]:
    query = select(TableSession).where(TableSession.procedure_id == procedure.id)
    return {(s.axis.code, _group_keys(s)): s for s in db.session.scalars(query)}


def _submitted_at(item: DemoContribution, sessions) -> datetime:
    """Rome time: online when it says; from a table, the morning after the session."""
    if item.table is None:
        return item.at
    session = sessions[item.table[:2]]
    return datetime.combine(rome_day(session) + timedelta(days=1), TABLE_DAY_AFTER)


def _direction(item: DemoContribution, sessions):
    session = sessions[item.table[:2]]
    directions = session.minutes.directions if session.minutes is not None else []
    direction = next((d for d in directions if d.what.startswith(item.table[2])), None)
    if direction is None:
        raise LookupError(f"demo contribution: no direction {item.table[2]!r} in the verbale of session {session.id}")
    return session, direction


def _play(procedure, item: DemoContribution, data: dict, cast: _Cast, sessions, accounts) -> None:
    at = _submitted_at(item, sessions)
    if item.table is not None:
        session, direction = _direction(item, sessions)
        with dated(at):
            contribution = submit_contribution(
                procedure, data, by=accounts[FACILITATOR], source=ContributionSource.TABLE,
                direction=direction, session=session, now=naive_utc(rome_to_utc(at)))
    else:
        with dated(at):
            contribution = submit_contribution(procedure, data, by=cast.sender(item.actor),
                                               now=naive_utc(rome_to_utc(at)))
    contribution.updated_at = contribution.created_at
    if item.outcome == "submitted":
        return
    decided = datetime.combine(_working_days_after(at.date(), MODERATED_AFTER_WORKING_DAYS), time(11, at.minute))
    to = ContributionState.APPROVED if item.outcome == "approved" else ContributionState.REJECTED
    with dated(decided):
        moderate_contribution(contribution, to, item.reason or None, by=accounts[MODERATOR],
                              now=rome_to_utc(decided))
    contribution.updated_at = naive_utc(rome_to_utc(decided))


def _working_days_after(day: date, days: int) -> date:
    while days:
        day += timedelta(days=1)
        days -= day.weekday() < 5
    return day
