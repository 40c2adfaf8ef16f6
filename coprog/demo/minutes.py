"""Demo minutes (verbali) of the 15 demo sessions, written from the content of seed 002.

Per axis, Part 1 (needs, critical points, aspirations) paraphrases what the seed says the tables
analysed, with one finding about the district's own conditions (mountain, city, plain); Part 2
takes three of the axis's directions (seed: "Le direzioni per …") in turn, each answering who /
what / how with the actor categories of the seed, plus one of the nine cross-cutting directions.
The actors named are the demo's admitted ETS and their co-opted subjects, the body that accepted
the sub-procedure's invitation, and public services named by text.

Every verbale is written by the demo facilitator on the day of its session, approved by them a
few working days later and published by the RUP, with the audit rows dated accordingly, except
the last one: the Socialità afternoon plenary (Savena Idice, Pianura Est and Ovest, 25 November
2025) is left as a draft with Part 1 half written, so that the demo facilitator finds a verbale
to complete and approve, and the RUP one to publish. Deterministic: the same text every time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from ..actors.models import ActorKind
from ..actors.services import accepted_invitations, actor_key, name_actor
from ..applications.admission import admitted
from ..auth.models import User
from ..core.time import naive_utc, rome_to_utc, to_rome
from ..extensions import db
from ..notices.models import Notice
from ..tables.models import FindingKind, Minutes, TableSession
from ..tables.services import minutes as service
from ..tables.services.minutes import DirectionInput
from .applications import BY_KEY, dated
from .tables import GROUPS, SOCIAL_SERVICES

NEED, CRITICAL, ASPIRATION = FindingKind.NEED, FindingKind.CRITICAL_POINT, FindingKind.ASPIRATION

# Part 1 per axis: (kind, text), the first three of each kind in every verbale, rotated.
FINDINGS = {
    "lavoro": {
        NEED: (
            "Percorsi di avvicinamento al lavoro graduali, con orari compatibili con il percorso di cura.",
            "Un riferimento stabile che accompagni la persona prima, durante e dopo il tirocinio.",
            "Competenze trasversali da costruire prima dell'inserimento: puntualità, uso dei mezzi pubblici, strumenti digitali.",
            "Un sostegno anche per l'impresa che accoglie, non solo per la persona.",
        ),
        CRITICAL: (
            "Molti tirocini si chiudono senza uno sbocco: finita la borsa lavoro la persona torna al punto di partenza.",
            "Le informazioni tra CSM, servizi sociali, centro per l'impiego e cooperative non circolano: ogni servizio ricomincia da capo.",
            "Poche imprese profit disponibili, per timore del pregiudizio o per mancanza di supporto dopo l'assunzione.",
            "L'offerta formativa è poco allineata ai profili richiesti dalle imprese del territorio.",
            "Tempi amministrativi lunghi per attivare una borsa lavoro all'interno del Budget di Salute.",
        ),
        ASPIRATION: (
            "Un lavoro vero e retribuito, riconosciuto come parte della propria identità e non solo come attività riabilitativa.",
            "Una filiera continua dalla formazione al lavoro, con un unico progetto condiviso tra i servizi.",
            "Imprese del territorio che si riconoscono come parte di una comunità inclusiva.",
        ),
    },
    "abitare": {
        NEED: (
            "Soluzioni abitative di transizione per chi esce da una struttura residenziale o dalla famiglia d'origine.",
            "Un supporto leggero nella gestione della casa: spese, pulizie, rapporti con il vicinato.",
            "Alloggi a canone sostenibile per chi vive della sola pensione o di redditi bassi.",
            "Un accompagnamento nelle convivenze, soprattutto nei primi mesi.",
        ),
        CRITICAL: (
            "Gli alloggi disponibili sono pochi e i canoni del mercato privato sono fuori portata.",
            "I proprietari privati temono morosità e conflitti e non affittano senza garanzie.",
            "Le convivenze nascono senza un accompagnamento adeguato e si interrompono per conflitti.",
            "Gli alloggi pubblici assegnati restano isolati dalla rete dei servizi e del quartiere.",
            "Le risorse per l'abitare sono frammentate tra enti diversi e difficili da ricomporre nel progetto.",
        ),
        ASPIRATION: (
            "Abitare in una casa propria, nel proprio quartiere, con il supporto che serve e non di più.",
            "Coabitazioni scelte, tra persone affini, con un progetto condiviso.",
            "Un vicinato che sappia accogliere e a cui potersi rivolgere.",
        ),
    },
    "socialita": {
        NEED: (
            "Occasioni d'incontro non sanitarie, nei luoghi frequentati da tutti.",
            "Essere accompagnati le prime volte in un'attività nuova: da soli è difficile entrare.",
            "Spazi accessibili anche la sera e nel fine settimana, quando l'isolamento pesa di più.",
            "Relazioni che durino oltre la singola attività o il singolo progetto.",
        ),
        CRITICAL: (
            "Le opportunità del territorio esistono ma non sono mappate né conosciute dagli operatori.",
            "Non tutte le realtà locali sono preparate ad accogliere persone con fragilità psichica: lo stigma pesa ancora.",
            "Le attività finiscono con il progetto: manca continuità prima, durante e dopo il Budget di Salute.",
            "Pochi spazi di aggregazione accessibili e trasporti scarsi nelle ore serali.",
        ),
        ASPIRATION: (
            "Sentirsi cittadini come gli altri: usare la biblioteca, la palestra, il circolo del quartiere.",
            "Gruppi di mutuo aiuto e tra pari che continuino nel tempo.",
            "Spazi ibridi dove socialità, formazione e piccoli lavori si incontrano.",
        ),
    },
}

# One critical point per district group: what the place itself changes.
PLACE_FINDINGS = {
    "appennino-rls": "In montagna le distanze e i trasporti limitano l'accesso alle opportunità; in collina e nella valle del Reno l'offerta è più vicina ma poco collegata.",
    "bologna-ovest": "In città le opportunità sono molte ma frammentate, e il costo della vita pesa su ogni progetto.",
    "bologna-est": "In città le opportunità sono molte ma frammentate, e il costo della vita pesa su ogni progetto.",
    "pianura-est": "Tra i comuni della pianura i trasporti pubblici sono radi: molte opportunità non sono raggiungibili senza un'auto.",
    "pianura-ovest": "Tra i comuni della pianura i trasporti pubblici sono radi: molte opportunità non sono raggiungibili senza un'auto.",
    "savena-idice": "Il distretto unisce la prima cintura urbana e la montagna: bisogni e risorse molto diversi a pochi chilometri.",
}


@dataclass(frozen=True)
class DemoDirection:
    what: str
    who: str
    how: str
    actors: tuple[str, ...] = ()  # "ets:<demo key>", "co:<name>", "inv:<body name>", "pub:<name>", "altro:<name>", "sociali"


# Part 2 per axis: the seed's directions for the axis, with who / what / how.
DIRECTIONS = {
    "lavoro": (
        DemoDirection(
            "Filiere integrate e continue: un percorso unico che colleghi orientamento, formazione, tirocinio e inserimento, con un progetto condiviso tra i servizi.",
            "Sistema pubblico del lavoro e della formazione e cooperazione sociale di inserimento lavorativo.",
            "Un tavolo distrettuale dei referenti ogni mese e una scheda di percorso unica, aggiornata da tutti.",
            ("ets:coop-lavoro", "pub:Centro per l'impiego del distretto", "sociali"),
        ),
        DemoDirection(
            "Accompagnamento personalizzato: un tutor (job coach) che segua la persona prima, durante e dopo l'inserimento e sostenga anche l'impresa.",
            "Comunità professionale e cooperazione sociale, con i servizi di salute mentale.",
            "Co-progettazione distrettuale della funzione di tutor, riconosciuta e finanziata nel Budget di Salute.",
            ("ets:giovani-mani", "ets:coop-lavoro"),
        ),
        DemoDirection(
            "Più opportunità e più varie: un elenco condiviso di imprese disponibili a tirocini e assunzioni, anche attraverso le clausole sociali negli appalti pubblici.",
            "Imprese e mondo produttivo, associazioni di categoria, commercianti del territorio.",
            "Accordi con le associazioni di categoria e visite nelle imprese insieme ai tutor.",
            ("co:Impresa Dimostrativa del Verde S.r.l. (demo)", "co:Associazione Commercianti Immaginari (demo)",
             "altro:Associazioni di categoria delle imprese"),
        ),
        DemoDirection(
            "Formazione allineata al mercato del lavoro: corsi brevi co-progettati sui profili richiesti (manutenzione del verde, ristorazione, logistica).",
            "Enti di formazione professionale e imprese che accolgono i tirocini.",
            "Calendario annuale dei corsi condiviso tra enti di formazione, cooperative e servizi.",
            ("altro:Enti di formazione professionale del territorio", "ets:giovani-mani"),
        ),
        DemoDirection(
            "Una cultura territoriale dell'inclusione: far conoscere alle imprese le esperienze riuscite di inserimento.",
            "Imprese sensibili, Comuni, associazioni di volontariato.",
            "Incontri pubblici con imprese e lavoratori che raccontano la propria esperienza; un riconoscimento per le imprese inclusive.",
            ("sociali", "ets:fondazione-solidale"),
        ),
        DemoDirection(
            "Governance e rete più forti, con risorse dedicate: una regia distrettuale tra AUSL, Unioni dei Comuni e Terzo settore che cerchi anche finanziamenti.",
            "Finanziatori e attori abilitanti: fondazioni, bandi europei e regionali.",
            "Partecipazione congiunta ai bandi e un fondo per le borse lavoro alimentato da più enti.",
            ("inv:Fondazione Esempio per la Comunità", "ets:fondazione-solidale", "sociali"),
        ),
    ),
    "abitare": (
        DemoDirection(
            "Usare meglio le risorse abitative che già ci sono: una ricognizione degli alloggi pubblici e privati sottoutilizzati.",
            "Comuni, servizi sociali, enti gestori di alloggi e proprietari privati.",
            "Un canale unico di segnalazione degli alloggi disponibili, condiviso tra servizi ed enti gestori.",
            ("sociali", "ets:fondazione-solidale"),
        ),
        DemoDirection(
            "Coabitazioni e abitare accompagnato: appartamenti condivisi con un progetto comune e una presenza educativa leggera.",
            "Enti del Terzo settore che gestiscono gli appartamenti, con i servizi di salute mentale.",
            "Regole di convivenza costruite insieme agli abitanti e verifiche periodiche con l'équipe.",
            ("ets:amici-quartiere", "ets:giovani-mani"),
        ),
        DemoDirection(
            "Figure dell'accompagnamento all'abitare: un facilitatore dell'abitare che sostenga la persona, il proprietario e il vicinato.",
            "Cooperazione sociale e volontariato di prossimità.",
            "Co-progettazione della figura nei distretti, con ore dedicate nel Budget di Salute.",
            ("ets:amici-quartiere", "co:Gruppo di cammino del Quartiere Immaginario (demo)"),
        ),
        DemoDirection(
            "Collaborazioni con soggetti partner o sostenitori che mettono a disposizione alloggi o spazi.",
            "Enti religiosi, fondazioni, privati disponibili.",
            "Comodati d'uso e accordi di locazione con l'accompagnamento di un ente del Terzo settore.",
            ("co:Parrocchia di San Fittizio (demo)", "inv:Fondazione Esempio per la Comunità"),
        ),
        DemoDirection(
            "Usare fondi e bandi pubblici per l'abitare: contributi per l'affitto, recupero di alloggi, programmi regionali.",
            "Comuni, Unioni dei Comuni, servizi sociali.",
            "Un referente per distretto che segua i bandi e coordini le domande degli enti.",
            ("sociali",),
        ),
        DemoDirection(
            "Governance, rete e fonti: ricomporre in un unico quadro le risorse per l'abitare di enti diversi.",
            "AUSL, Comuni, enti gestori, Terzo settore.",
            "Un tavolo distrettuale dell'abitare con incontri trimestrali e una mappa condivisa delle risorse.",
            ("sociali", "ets:fondazione-solidale"),
        ),
        DemoDirection(
            "Fondi e strutture di garanzia: un fondo che copra morosità e danni, per convincere i proprietari privati ad affittare.",
            "Fondazioni, banche, società di mutuo soccorso.",
            "Un fondo di garanzia alimentato da più soggetti e gestito da un ente del Terzo settore.",
            ("inv:Fondazione Esempio per la Comunità", "ets:fondazione-solidale", "altro:Banche del territorio"),
        ),
    ),
    "socialita": (
        DemoDirection(
            "Sapere cosa offre il territorio e usarlo: una mappa aggiornata delle opportunità di socialità (sport, cultura, volontariato) per operatori e persone.",
            "Comunità e volontariato, da mappare e sensibilizzare; biblioteche e centri culturali.",
            "Aggiornamento condiviso della mappa da parte degli enti e presentazione nelle équipe dei servizi.",
            ("ets:amici-quartiere", "ets:polisportiva", "pub:Biblioteche e centri culturali comunali"),
        ),
        DemoDirection(
            "Preparare le realtà locali all'accoglienza inclusiva: formazione per volontari, allenatori e operatori culturali.",
            "Associazioni sportive e culturali, volontariato, imprese sensibili.",
            "Brevi percorsi formativi co-condotti da operatori dei servizi e da persone con esperienza diretta.",
            ("ets:polisportiva", "ets:sentieri-condivisi"),
        ),
        DemoDirection(
            "Continuità nei percorsi, prima, durante e dopo il Budget di Salute: le attività non si interrompono a fine progetto.",
            "Enti del Terzo settore, gruppi informali, cittadini volontari.",
            "Un passaggio di consegne tra progetto e gruppo del territorio, con un referente che resti.",
            ("ets:amici-quartiere", "co:Cittadino Volenteroso (demo)", "co:Gruppo di cammino del Quartiere Immaginario (demo)"),
        ),
        DemoDirection(
            "Spazi informali e ibridi, curati nel tempo: luoghi di quartiere aperti anche la sera e nel fine settimana.",
            "Comuni, decisivi per gli spazi e la rigenerazione urbana; parrocchie e circoli.",
            "Patti di collaborazione per l'uso degli spazi pubblici e un calendario condiviso.",
            ("sociali", "co:Parrocchia di San Fittizio (demo)"),
        ),
        DemoDirection(
            "Contesti ibridi tra lavoro, formazione e socialità: laboratori e piccoli lavori di comunità.",
            "Cooperazione sociale, imprese sensibili, fonti di finanziamento locali.",
            "Laboratori co-progettati e finanziati con bandi di fondazioni e dei Comuni.",
            ("ets:giovani-mani", "inv:Fondazione Esempio per la Comunità"),
        ),
        DemoDirection(
            "L'uso della città e il mutuo aiuto come forme di cittadinanza: gruppi tra pari e uscite in città.",
            "Gruppi di mutuo aiuto, associazioni dei familiari, volontariato.",
            "Gruppi tra pari sostenuti da un facilitatore e aperti a chi esce dal Budget di Salute.",
            ("ets:sentieri-condivisi", "ets:amici-quartiere"),
        ),
    ),
}

# The nine cross-cutting directions of seed 002, paraphrased; one per verbale, in turn.
CROSS_CUTTING = (
    DemoDirection("Nuove figure professionali di sistema e di gestione, che tengano insieme i percorsi.",
                  "AUSL, Comuni e Terzo settore.", "Profili e funzioni definiti nella co-progettazione distrettuale.",
                  ("sociali",)),
    DemoDirection("Innovazioni organizzative: strutture e pratiche di coordinamento più stretto tra chi gestisce i progetti e chi produce i servizi.",
                  "Enti gestori e servizi pubblici.", "Riunioni di coordinamento periodiche e strumenti di lavoro comuni.",
                  ("ets:coop-lavoro", "sociali")),
    DemoDirection("Lavoro di rete e istituzionale, diverso per imprese, enti del Terzo settore ed enti pubblici, nella co-produzione o nel sostegno ai progetti.",
                  "Imprese, ETS ed enti pubblici, ciascuno con il proprio ruolo.", "Accordi di rete differenziati per tipo di attore.",
                  ("ets:fondazione-solidale",)),
    DemoDirection("Modellizzare e diffondere: le sperimentazioni riuscite diventino modelli per gli altri territori.",
                  "Enti che hanno condotto le sperimentazioni, con l'AUSL.", "Schede di buona pratica e scambi tra distretti.",
                  ("ets:amici-quartiere",)),
    DemoDirection("Un Budget di Salute più flessibile: meno passaggi amministrativi, prestazioni meno rigide, attenzione al prima e al dopo.",
                  "AUSL e servizi sociali.", "Procedure semplificate da definire nella nuova gara.",
                  ("sociali",)),
    DemoDirection("Produrre servizi e attività che rispondano anche ai bisogni indiretti: trasporti, rigenerazione urbana.",
                  "Comuni e aziende di trasporto, con il Terzo settore.", "Progetti condivisi sui trasporti e sugli spazi urbani.",
                  ("sociali", "altro:Aziende di trasporto pubblico locale")),
    DemoDirection("Più capacità di progettare e di finanziarsi della rete che gestisce: bandi europei, fondazioni di comunità, lasciti, raccolta fondi, banche.",
                  "Fondazioni, banche e l'intera rete degli enti gestori.", "Un gruppo di progettazione comune per bandi e raccolta fondi.",
                  ("inv:Fondazione Esempio per la Comunità", "ets:fondazione-solidale")),
    DemoDirection("Dispositivi di progettazione e gestione a scale diverse, dal quartiere al distretto: le questioni emerse sono simili tra i territori.",
                  "AUSL, Unioni dei Comuni, Terzo settore.", "Regie distrettuali coordinate a livello metropolitano.",
                  ("sociali",)),
    DemoDirection("Consolidare il rapporto tra gli assi: casa, lavoro e socialità si influenzano e decidono insieme la riuscita del progetto.",
                  "Tutti i soggetti dei tre assi.", "Progetti individuali che leggano insieme i tre assi fin dall'inizio.",
                  ("ets:amici-quartiere", "ets:coop-lavoro")),
)

DIRECTIONS_PER_VERBALE = 3
APPROVED_AFTER_DAYS = 5
PUBLISHED_AFTER_DAYS = 3  # after the approval
DRAFT = ("socialita", ("pianura-est", "pianura-ovest", "savena-idice"))


def ensure_demo_minutes(notice: Notice, accounts: dict[str, User], report) -> None:
    procedure = notice.procedure
    sessions = list(db.session.scalars(
        select(TableSession).where(TableSession.procedure_id == procedure.id).order_by(TableSession.starts_at, TableSession.id)
    ))
    if not sessions:
        return
    existing = db.session.scalar(select(func.count(Minutes.id)).where(Minutes.session_id.in_([s.id for s in sessions])))
    if existing:
        report.existing.append("verbali dei tavoli")
        return
    facilitator, rup = accounts["facilitatore@demo.coprog.it"], accounts["rup@demo.coprog.it"]
    keys = _actor_keys(notice)
    turn = {axis: 0 for axis in FINDINGS}
    for index, session in enumerate(sessions):
        axis, groups = session.axis.code, _group_keys(session)
        draft = (axis, groups) == DRAFT
        _write(session, axis, groups, turn[axis], index, keys, facilitator, partial=draft)
        if not draft:
            _approve_and_publish(session, facilitator, rup, turn[axis])
        turn[axis] += 1
    report.created.append(f"{len(sessions) - 1} verbali pubblicati e 1 in bozza")


def _group_keys(session: TableSession) -> tuple[str, ...]:
    by_name = {g.name: g.key for g in GROUPS}
    return tuple(by_name.get(g.name, "") for g in session.groups)


def _actor_keys(notice: Notice) -> dict[str, tuple[str, datetime | None]]:
    """Demo references ("ets:coop-lavoro", "co:<name>", "inv:<name>") -> (candidate key, from
    when it may be named: an invited body only after it accepted)."""
    keys: dict[str, tuple[str, datetime | None]] = {}
    names = {entity.name: key for key, entity in BY_KEY.items()}
    for application in admitted(notice):
        if application.organisation.name in names:
            keys[f"ets:{names[application.organisation.name]}"] = (f"org:{application.organisation_id}", None)
        for subject in application.co_opted:
            keys[f"co:{subject.name}"] = (f"co:{subject.id}", None)
    keys.update({f"inv:{i.body_name}": (f"inv:{i.id}", i.answered_at) for i in accepted_invitations(notice.procedure)})
    return keys


def _pick(items: tuple, start: int, count: int) -> list:
    return [items[(start + i) % len(items)] for i in range(count)]


def _written_at(session: TableSession) -> datetime:
    """The evening of the session's day (Rome): the facilitator writes the verbale after it."""
    return datetime.combine(rome_day(session), time(18, 30))


def rome_day(session: TableSession) -> date:
    return to_rome(session.starts_at).date()


def _working_day(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _write(session, axis, groups, turn, index, keys, facilitator, *, partial: bool) -> None:
    with dated(_written_at(session)):
        minutes = service.get_or_create_minutes(session, by=facilitator)
        pool = FINDINGS[axis]
        for kind in (NEED, CRITICAL, ASPIRATION):
            texts = _pick(pool[kind], turn, 3 if kind != ASPIRATION else 2)
            if kind == CRITICAL and groups and groups[0] in PLACE_FINDINGS:
                texts.append(PLACE_FINDINGS[groups[0]])
            if partial:
                texts = texts[:2] if kind != ASPIRATION else []
            for text in texts:
                service.add_finding(minutes, kind, text, by=facilitator)
        if partial:
            service.save_notes(minutes, "Bozza: completare la Parte 1 e scrivere la Parte 2 dagli appunti del tavolo.",
                               by=facilitator)
            minutes.updated_at = naive_utc(rome_to_utc(_written_at(session)))
            return
        # every other direction of the axis in turn: over the axis's sessions, each comes up
        chosen = [*_pick(DIRECTIONS[axis], 2 * turn, DIRECTIONS_PER_VERBALE), CROSS_CUTTING[index % len(CROSS_CUTTING)]]
        for direction in chosen:
            service.add_direction(minutes, _direction_input(direction, session, groups, keys, facilitator), by=facilitator)
        service.save_notes(minutes, _notes(session), by=facilitator)
    minutes.updated_at = naive_utc(rome_to_utc(_written_at(session)))


def _direction_input(direction: DemoDirection, session: TableSession, groups: tuple[str, ...],
                     keys: dict, facilitator: User) -> DirectionInput:
    """The direction's actors: the demo's entities and bodies by key (left out if the demo
    changed), public services named by text, other subjects named with their own kind."""
    chosen, public = [], []
    for ref in direction.actors:
        if ref == "sociali":
            public.extend(SOCIAL_SERVICES.get(groups[0], ()) if groups else ())
        elif ref.startswith("pub:"):
            public.append(ref.removeprefix("pub:"))
        elif ref.startswith("altro:"):
            actor = name_actor(session.procedure, ActorKind.OTHER, ref.removeprefix("altro:"), by=facilitator)
            chosen.append(actor_key(actor))
        elif ref in keys and (keys[ref][1] is None or keys[ref][1] <= session.starts_at):
            chosen.append(keys[ref][0])
    return DirectionInput(what=direction.what, who=direction.who, how=direction.how, actor_keys=chosen,
                          new_actors="\n".join(public), new_actor_kind=ActorKind.PUBLIC_SERVICE.value)


def _notes(session: TableSession) -> str:
    merged = ""
    if session.is_merged:
        merged = (f"Incontro congiunto dei tavoli {', '.join(g.name for g in session.groups)}: "
                  "le persone si erano iscritte per distretto e hanno lavorato in un unico gruppo.\n\n")
    return (merged + "Il tavolo ha lavorato in due parti: analisi dello stato attuale e direzioni di innovazione. "
            "Le direzioni emerse confluiscono nella sintesi per asse presentata alla restituzione pubblica del "
            "15 dicembre 2025.")


def _approve_and_publish(session: TableSession, facilitator: User, rup: User, turn: int) -> None:
    minutes = service.minutes_of(session)
    day = rome_day(session)
    approved = datetime.combine(_working_day(day + timedelta(days=APPROVED_AFTER_DAYS + turn % 2)), time(16, 0 + 7 * turn))
    published = datetime.combine(_working_day(approved.date() + timedelta(days=PUBLISHED_AFTER_DAYS)), time(10, 0 + 5 * turn))
    with dated(approved):
        service.approve(minutes, by=facilitator, now=rome_to_utc(approved))
    with dated(published):
        service.publish(minutes, by=rup, now=rome_to_utc(published))
    minutes.updated_at = naive_utc(rome_to_utc(published))
