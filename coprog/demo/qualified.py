"""The demo list of qualified entities (elenco dei soggetti qualificati, seed 003 b–c; L.R.
Emilia-Romagna 3/2023 art. 17 c.3) that follows the Bologna 2025 co-programming, and the demo
case managers who search it.

- The list notice (`elenco-bds-bologna`, a procedure of kind "elenco_qualificati"): published by
  the RUP on 23 December 2025, the day after the final document of the co-programming, open until
  the list's term (31 December 2028); the first list was formed on 15 January 2026 from the
  applications received by 9 January.
- Its entries: every ETS admitted to the co-programming (bds-bologna-2025), with services drawn
  from the resources it mapped there (each linked to those published contributions), and further
  fictional ETS registered on coprog for the list. Qualified by the RUP on 15 January 2026, valid
  until 14 January 2028, review on 15 January 2027; one entry is still waiting for the decision,
  one is suspended with its reason, one expired on 30 June 2026 (a six-month qualification), so
  that the staff pages show every state.
- Their services: the three axes, the three targets (mostly adults of the CSM; some minors of the
  NPIA; some people of the SerDP), every district, places free now or none, and availability said
  a few days ago or more than a month ago (stale, as the search flags it). Each placed at the
  point of its comune (no fictional address is sent to a geocoder).
- One case manager per CSM of the territory (`cm.<centre>@demo.coprog.it`), the demo password.

Everything is fictional: entity names end in "(demo)", people's names are invented words, contact
desks are offices, e-mail addresses are on demo.coprog.it. Entries are made through the real
use-cases (`save_service`, `decide`), audited at their dates; no e-mail is left in the outbox for
the fictional addresses. Loaded once: a second run finds everything and adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select

from ..actors.models import Actor
from ..applications.admission import admitted
from ..auth.models import User
from ..auth.passwords import hasher
from ..core import audit
from ..core.roles import Role
from ..core.time import naive_utc, rome_to_utc, utcnow
from ..extensions import db
from ..mapping.models import Contribution, ContributionState
from ..mapping.services.contributions import resource_types_of
from ..notices import services as notices
from ..notices.models import AttachmentKind, Milestone, MilestoneKind, Notice, Procedure
from ..notify.models import OutboxMessage
from ..organisations.models import MemberRole, Organisation
from ..organisations.services import register_organisation, runts_prefill
from ..qualified.models import EntryState, QualifiedEntry, Target
from ..qualified.services.entries import Decision, Validity, decide, save_service
from ..territory.models import Authority, Axis, Comune, ServiceCentre
from . import content
from .applications import BY_KEY, DEMO_DOMAIN, LEGAL_REP, dated
from .documents import demo_pdf

SLUG = "elenco-bds-bologna"
PUBLISHED_AT = datetime(2025, 12, 23, 9, 0)  # Rome time: the day after the final document
CLOSES_AT = datetime(2028, 12, 31, 23, 59)  # Rome time: the list's term
APPLIED_AT = datetime(2026, 1, 7, 10, 0)  # Rome time: the first applications (by 9 January)
QUALIFIED_AT = datetime(2026, 1, 15, 11, 0)  # Rome time: the first list
VALIDITY = Validity(date(2026, 1, 15), date(2028, 1, 14), date(2027, 1, 15))
SHORT_VALIDITY = Validity(date(2026, 1, 15), date(2026, 6, 30), date(2026, 4, 15))
EXPIRED_AT = datetime(2026, 7, 1, 0, 30)  # Rome time: the nightly expiry run
SUSPENDED_AT = datetime(2026, 9, 10, 12, 0)  # Rome time
REQUESTED_AT = datetime(2026, 11, 20, 16, 30)  # Rome time: still waiting for the decision

ADULTS, MINORS, ADDICTIONS = Target.ADULTS.value, Target.MINORS.value, Target.ADDICTIONS.value

NOTICE = {
    "kind": "elenco_qualificati",
    "title": "Elenco dei soggetti qualificati per la co-gestione dei progetti di Budget di Salute",
    "summary": (
        "Avviso aperto per l'iscrizione degli enti del Terzo settore all'elenco dei soggetti qualificati "
        "che co-gestiscono, con i servizi dell'AUSL di Bologna e i servizi sociali, i Progetti Terapeutico "
        "Riabilitativi Individualizzati (PTRI) con Budget di Salute sui tre assi: abitare, socialità, "
        "formazione e lavoro. Il case manager sceglie dall'elenco, con la persona, l'ente che co-gestisce "
        "il progetto."
    ),
    "legal_basis": (
        "Art. 55 del D.Lgs. 3 luglio 2017, n. 117 (Codice del Terzo settore) e art. 118 della "
        "Costituzione (sussidiarietà).\n\n"
        "Art. 17, comma 3, della Legge regionale Emilia-Romagna 13 aprile 2023, n. 3, che consente agli "
        "enti pubblici di tenere elenchi di enti del Terzo settore.\n\n"
        "Linee programmatiche \"Progettare il Budget di Salute con la persona\", Intesa in Conferenza "
        "Unificata del 6 luglio 2022 (rep. atti 104/CU), elementi operativi b) e c): elenchi di soggetti "
        "qualificati e programmazione esecutiva dei progetti."
    ),
    "objectives": (
        "Offrire ai case manager dei CSM, delle NPIA e dei SerDP un elenco unico e aggiornato degli enti che "
        "possono co-gestire i progetti con Budget di Salute, con i servizi, i destinatari, i distretti e i "
        "posti disponibili.\n\n"
        "Garantire interventi di qualità che sostengano l'autonomia e il ruolo attivo della persona nel "
        "proprio progetto di vita.\n\n"
        "Assicurare trasparenza, parità di trattamento, imparzialità e proporzionalità nella formazione "
        "dell'elenco e nella scelta dell'ente che co-gestisce ciascun progetto.\n\n"
        "Dare seguito alle direzioni emerse dalla co-programmazione 2025 sul Budget di Salute."
    ),
    "requirements": (
        "Possono iscriversi gli enti del Terzo settore iscritti nel Registro unico nazionale del Terzo "
        "settore (RUNTS); le cooperative sociali e le imprese sociali tramite il Registro delle imprese.\n\n"
        "L'ente deve avere esperienza documentata in interventi educativi, di inserimento lavorativo, "
        "abitativi o di socialità con persone seguite dai servizi sociali e sanitari, e offrire almeno un "
        "servizio nel territorio dell'AUSL di Bologna.\n\n"
        "L'ente dichiara l'assenza di cause di esclusione e di conflitti di interesse (DPR 445/2000, artt. 46 "
        "e 47), la copertura assicurativa del personale e dei volontari e l'accettazione dell'avviso. "
        "L'AUSL verifica le dichiarazioni a campione."
    ),
    "how_to_apply": (
        "La domanda si presenta online su questa piattaforma, in qualsiasi momento fino al 31 dicembre "
        "2028, indicando per ogni servizio l'asse, i destinatari, i distretti e i comuni, i posti e quelli "
        "liberi, le modalità di accesso e uno sportello di contatto.\n\n"
        "L'AUSL decide su ogni domanda con una motivazione. La prima formazione dell'elenco riguarda le "
        "domande presentate entro il 9 gennaio 2026 e viene pubblicata il 15 gennaio 2026.\n\n"
        "L'iscrizione vale due anni, con una revisione annuale. L'ente aggiorna i posti disponibili almeno "
        "una volta al mese: un dato più vecchio di 30 giorni viene segnalato ai case manager."
    ),
    "rup_name": "Anna Esempio",
    "rup_role": "Dirigente, DSM-DP (nominativo dimostrativo)",
    "contact_email": "elenco.qualificati@demo.coprog.it",
    "contact_pec": "dsm.elenco@pec.demo.coprog.it",
    "contact_phone": "051 000 0000",
}

# (kind, title, day): the timeline of the list
MILESTONES = (
    ("presentazione", "Presentazione online dell'elenco agli enti del Terzo settore", date(2026, 1, 8)),
    ("altro", "Prima formazione dell'elenco: esito delle domande presentate entro il 9 gennaio", date(2026, 1, 15)),
    ("altro", "Revisione annuale delle iscrizioni", date(2027, 1, 15)),
)

ATTACHMENTS = (
    ("modello_a", "Modello A – Domanda di iscrizione all'elenco", "modello-a-iscrizione-elenco.pdf"),
    ("allegato_4", "Allegato 4 – Dichiarazione sostitutiva (DSAN)", "allegato-4-dsan-elenco.pdf"),
)

# One case manager per CSM of the territory: (centre code of the preset, e-mail, name)
CASE_MANAGERS = (
    ("csm-borgo-reno", "cm.borgo-reno@demo.coprog.it", "Giulia Fittizia (case manager CSM Borgo Reno, demo)"),
    ("csm-budrio", "cm.budrio@demo.coprog.it", "Davide Inventato (case manager CSM Budrio, demo)"),
    ("csm-appennino-bolognese", "cm.appennino@demo.coprog.it",
     "Irene Ipotetica (case manager CSM dell'Appennino Bolognese, demo)"),
    ("csm-navile", "cm.navile@demo.coprog.it", "Sofia Simulata (case manager CSM Navile, demo)"),
    ("csm-pianura-ovest", "cm.pianura-ovest@demo.coprog.it", "Matteo Immaginario (case manager CSM Pianura Ovest, demo)"),
    ("csm-reno-lavino-samoggia", "cm.reno-lavino@demo.coprog.it",
     "Laura Dimostrativa (case manager CSM Reno, Lavino e Samoggia, demo)"),
    ("csm-san-pietro-in-casale", "cm.san-pietro@demo.coprog.it",
     "Franco Figurato (case manager CSM San Pietro in Casale, demo)"),
    ("csm-san-donato-san-vitale", "cm.san-donato@demo.coprog.it",
     "Teresa Teorica (case manager CSM San Donato-San Vitale, demo)"),
    ("csm-saragozza", "cm.saragozza@demo.coprog.it", "Valerio Virtuale (case manager CSM Saragozza, demo)"),
    ("csm-savena-santo-stefano", "cm.savena@demo.coprog.it",
     "Elisa Esemplare (case manager CSM Savena-Santo Stefano, demo)"),
    ("csm-savena-idice", "cm.savena-idice@demo.coprog.it", "Piero Provvisorio (case manager CSM Savena Idice, demo)"),
)


@dataclass(frozen=True)
class DemoService:
    """One service of an entry. `comune`: where it is offered (its point; its district is covered);
    `districts`/`comuni`: further areas covered. `days_ago`: when the ETS last said how many places
    are free (more than 30: stale). `capacity`/`available` None: not stated."""

    axis: str
    kind: str  # resource type code (the mapping's taxonomy)
    title: str
    description: str
    comune: str
    targets: tuple[str, ...] = (ADULTS,)
    capacity: int | None = None
    available: int | None = None
    days_ago: int = 4
    districts: tuple[str, ...] = ()
    comuni: tuple[str, ...] = ()
    access: str = "Su proposta del case manager, dopo un colloquio di conoscenza con la persona e l'équipe."
    transport: str = ""
    step_free: bool = False


@dataclass(frozen=True)
class ListEntity:
    """An ETS registered on coprog for the list (not one of the co-programming's)."""

    key: str
    code: str  # codice fiscale, fictional with a valid check digit
    name: str
    section: str
    comune: str  # seat
    services: tuple[DemoService, ...]
    state: str = "qualified"  # qualified, requested, suspended, expired
    desk: str = "Sportello inserimenti"


BUS = "Autobus urbano, fermata a pochi passi (indicazione dimostrativa)"
TRAIN = "Stazione ferroviaria a 10 minuti a piedi (indicazione dimostrativa)"

# The admitted ETS of the co-programming, by demo key: services from what they mapped there.
ADMITTED_SERVICES = {
    "amici-quartiere": (
        DemoService("abitare", "abitazioni", "Appartamento supportato in coabitazione (Navile)",
                    "Un appartamento per tre persone nel quartiere Navile, con un educatore che passa tre volte "
                    "alla settimana e un volontario di riferimento per la vita di quartiere.",
                    "Bologna", capacity=3, available=1, days_ago=2, transport=BUS, step_free=True),
        DemoService("abitare", "figure_professionali", "Facilitatore dell'abitare nei quartieri Navile e Saragozza",
                    "Sostegno nella ricerca della casa, nei rapporti con il condominio e con i proprietari, "
                    "nelle pratiche per le utenze.",
                    "Bologna", capacity=12, available=4, days_ago=6),
        DemoService("socialita", "attivita_sociali", "Orto condiviso di quartiere",
                    "Due pomeriggi alla settimana nell'orto del centro d'incontro, con i volontari dell'associazione "
                    "e gli abitanti del quartiere.",
                    "Bologna", targets=(ADULTS, ADDICTIONS), capacity=10, available=3, days_ago=9,
                    access="Accesso libero dopo una prima visita con il case manager.", transport=BUS),
    ),
    "fondazione-solidale": (
        DemoService("lavoro", "finanziamenti", "Borse lavoro per tirocini di inclusione",
                    "Borse lavoro finanziate con fondi propri e donazioni, per tirocini di sei mesi in imprese del "
                    "territorio, abbinate al progetto della persona.",
                    "San Lazzaro di Savena", capacity=5, available=2, days_ago=12, districts=("bologna",)),
        DemoService("abitare", "finanziamenti", "Fondo di garanzia per l'affitto",
                    "Copre morosità e piccoli danni fino a dodici mensilità, perché i proprietari affittino a chi "
                    "esce da una struttura o da un appartamento supportato.",
                    "Bologna", targets=(ADULTS, ADDICTIONS), capacity=8, available=0, days_ago=45,
                    districts=("savena-idice",), access="Richiesta del case manager con il progetto abitativo."),
        DemoService("abitare", "finanziamenti", "Contributo all'affitto per l'uscita da strutture residenziali",
                    "Un contributo per sei mesi a chi lascia una struttura residenziale per una casa propria.",
                    "San Lazzaro di Savena", capacity=6, available=2, days_ago=5),
    ),
    "coop-lavoro": (
        DemoService("lavoro", "inserimenti_lavorativi", "Inserimenti lavorativi in cooperativa di tipo B: verde",
                    "Inserimenti con contratto nella squadra di manutenzione del verde pubblico, con un tutor "
                    "della cooperativa.",
                    "Budrio", targets=(ADULTS, ADDICTIONS), capacity=6, available=1, days_ago=3,
                    comuni=("Molinella", "Castenaso"), transport=TRAIN),
        DemoService("lavoro", "inserimenti_lavorativi", "Tirocini di inclusione nella ristorazione collettiva",
                    "Tirocini di sei mesi nella cucina e nella sala della mensa aziendale gestita dalla cooperativa.",
                    "Budrio", capacity=4, available=0, days_ago=20),
        DemoService("lavoro", "formazione", "Laboratorio formativo di giardinaggio",
                    "Otto incontri pratici di giardinaggio e sicurezza sul lavoro, prima di un tirocinio.",
                    "Molinella", capacity=8, available=3, days_ago=18),
    ),
    "polisportiva": (
        DemoService("socialita", "attivita_sociali", "Calcio a 5 e pallavolo misti",
                    "Due allenamenti alla settimana nella palestra comunale e un torneo in primavera, in squadre "
                    "miste con i soci.",
                    "Anzola dell'Emilia", targets=(ADULTS, MINORS), capacity=20, available=6, days_ago=7,
                    step_free=True),
        DemoService("socialita", "attivita_sociali", "Nuoto accompagnato il sabato mattina",
                    "Nuoto libero nella piscina comunale con un istruttore e un volontario.",
                    "Zola Predosa", capacity=8, available=2, days_ago=14, step_free=True),
        DemoService("lavoro", "inserimenti_lavorativi", "Tirocini di custodia degli impianti sportivi",
                    "Custodia e piccola manutenzione degli impianti, affiancati da un socio esperto.",
                    "Bologna", capacity=3, available=1, days_ago=10),
    ),
    "sentieri-condivisi": (
        DemoService("socialita", "attivita_sociali", "Gruppi di cammino in Appennino",
                    "Uscite settimanali sui sentieri dell'Appennino con accompagnatori volontari; trasporto "
                    "organizzato dai paesi vicini.",
                    "Lizzano in Belvedere", capacity=15, available=5, days_ago=8,
                    districts=("appennino-bolognese",)),
        DemoService("socialita", "volontariato", "Volontariato di prossimità a domicilio",
                    "Visite e compagnia a domicilio, accompagnamento a commissioni e visite.",
                    "Monghidoro", capacity=6, available=0, days_ago=60, comuni=("Loiano", "Monterenzio")),
        DemoService("abitare", "volontariato", "Sostegno alla vita quotidiana in montagna",
                    "Volontari per la spesa, le commissioni e la legna per chi vive da solo nei paesi di montagna.",
                    "Castiglione dei Pepoli", capacity=5, available=2, days_ago=11,
                    comuni=("San Benedetto Val di Sambro",)),
    ),
    "giovani-mani": (
        DemoService("lavoro", "figure_professionali", "Job coach per tirocini e inserimenti",
                    "Un job coach segue la persona prima, durante e dopo il tirocinio e tiene i contatti con "
                    "l'impresa.",
                    "Castel Maggiore", targets=(ADULTS, ADDICTIONS), capacity=10, available=3, days_ago=4),
        DemoService("abitare", "abitazioni", "Appartamento in coabitazione per due persone",
                    "Un appartamento condiviso, con regole di convivenza scritte insieme e un operatore di "
                    "riferimento.",
                    "San Giovanni in Persiceto", capacity=2, available=0, days_ago=16),
        DemoService("socialita", "attivita_sociali", "Laboratorio artigiano aperto del sabato",
                    "Falegnameria e restauro il sabato mattina, aperti a ragazzi e adulti.",
                    "Castel Maggiore", targets=(ADULTS, MINORS), capacity=8, available=2, days_ago=6),
    ),
}

# Further fictional ETS of the list; their codes follow those of the co-programming (applications.ENTITIES).
LIST_ENTITIES = (
    ListEntity("casa-immaginaria", "91990200379", "Cooperativa Sociale Casa Immaginaria (demo)", "d", "Bologna", (
        DemoService("abitare", "abitazioni", "Gruppo appartamento Saragozza",
                    "Cinque posti in un gruppo appartamento con operatori presenti di giorno e reperibilità "
                    "notturna; percorsi verso l'abitare autonomo.",
                    "Bologna", capacity=5, available=1, days_ago=3, transport=BUS, step_free=True),
        DemoService("abitare", "abitazioni", "Appartamenti supportati in città",
                    "Due appartamenti per persone con buona autonomia, con visite educative settimanali.",
                    "Bologna", capacity=3, available=2, days_ago=5, transport=BUS),
        DemoService("abitare", "abitazioni", "Residenzialità leggera",
                    "Posti in alloggi diffusi con un sostegno leggero e flessibile, secondo il progetto.",
                    "Casalecchio di Reno", capacity=4, available=0, days_ago=33, transport=TRAIN),
    ), desk="Sportello abitare"),
    ListEntity("officina-dimostrativa", "91990210378", "Cooperativa Sociale Officina Dimostrativa (demo)", "d",
               "San Lazzaro di Savena", (
        DemoService("lavoro", "inserimenti_lavorativi", "Inserimenti lavorativi in cooperativa di tipo B",
                    "Assemblaggio e logistica leggera in laboratorio, con contratto e un tutor.",
                    "San Lazzaro di Savena", targets=(ADULTS, ADDICTIONS), capacity=5, available=2, days_ago=2,
                    districts=("bologna",)),
        DemoService("lavoro", "inserimenti_lavorativi", "Tirocini di inclusione in laboratorio",
                    "Tirocini di tre-sei mesi per imparare un lavoro e i suoi tempi.",
                    "Ozzano dell'Emilia", capacity=4, available=1, days_ago=9),
    )),
    ListEntity("cortile-inventato", "91990220377", "APS Cortile Inventato (demo)", "b", "Bologna", (
        DemoService("socialita", "spazi", "Centro di aggregazione di quartiere",
                    "Uno spazio aperto tutti i pomeriggi: giochi, cineforum, cene condivise, gite.",
                    "Bologna", capacity=25, available=8, days_ago=1, transport=BUS, step_free=True),
        DemoService("socialita", "attivita_sociali", "Laboratori espressivi per adolescenti",
                    "Musica, fumetto e video, due pomeriggi alla settimana, in piccoli gruppi.",
                    "Bologna", targets=(MINORS,), capacity=10, available=3, days_ago=12),
    ), desk="Segreteria delle attività"),
    ListEntity("ama-esempio", "91990230376", "ODV Auto-mutuo Aiuto Esempio (demo)", "a", "Bologna", (
        DemoService("socialita", "attivita_sociali", "Gruppi di auto-mutuo aiuto",
                    "Gruppi settimanali facilitati da persone con esperienza diretta, per chi vive un disagio "
                    "psichico o una dipendenza.",
                    "Bologna", targets=(ADULTS, ADDICTIONS), capacity=None, available=None,
                    access="Accesso libero; il case manager può accompagnare la persona al primo incontro."),
        DemoService("socialita", "attivita_sociali", "Gruppo di auto-mutuo aiuto per familiari",
                    "Un incontro ogni due settimane per familiari e persone vicine.",
                    "Casalecchio di Reno", capacity=12, available=5, days_ago=21),
    ), desk="Punto di ascolto"),
    ListEntity("ristoro-fittizio", "91990240375", "Cooperativa Sociale Ristoro Fittizio (demo)", "d",
               "Casalecchio di Reno", (
        DemoService("lavoro", "inserimenti_lavorativi", "Inserimenti lavorativi nel bar e nella cucina",
                    "Inserimenti in cooperativa di tipo B nel bar del centro sportivo e nella cucina.",
                    "Casalecchio di Reno", capacity=4, available=0, days_ago=52, transport=TRAIN),
        DemoService("lavoro", "inserimenti_lavorativi", "Tirocini di inclusione nella ristorazione",
                    "Tirocini in sala e in cucina con un tutor, con orari costruiti sul progetto.",
                    "Zola Predosa", capacity=3, available=1, days_ago=7, comuni=("Valsamoggia",)),
    )),
    ListEntity("abitare-esempio", "91990250374", "Fondazione Abitare Esempio ETS (demo)", "c", "Bologna", (
        DemoService("abitare", "abitazioni", "Residenzialità leggera in alloggi diffusi",
                    "Alloggi messi a disposizione dalla fondazione, con un canone calmierato e un sostegno "
                    "educativo leggero.",
                    "Bologna", capacity=6, available=1, days_ago=4, districts=("pianura-est",)),
        DemoService("abitare", "figure_professionali", "Facilitatore dell'abitare in pianura",
                    "Accompagna la ricerca della casa e i rapporti con proprietari e vicini.",
                    "Castenaso", capacity=10, available=4, days_ago=13, districts=("pianura-est",)),
    ), desk="Ufficio progetti abitativi"),
    ListEntity("sport-immaginario", "91990260373", "APS Sport per Tutti Immaginario (demo)", "b",
               "Casalecchio di Reno", (
        DemoService("socialita", "attivita_sociali", "Attività sportive inclusive",
                    "Ginnastica dolce, arrampicata e tennis tavolo in gruppi misti, tutto l'anno.",
                    "Casalecchio di Reno", targets=(ADULTS, MINORS), capacity=18, available=7, days_ago=5,
                    step_free=True),
        DemoService("socialita", "attivita_sociali", "Camminate e bicicletta lungo il fiume",
                    "Uscite in gruppo una domenica al mese.",
                    "Sasso Marconi", capacity=12, available=4, days_ago=25),
    )),
    ListEntity("montagna-fittizia", "91990270372", "ODV Montagna Solidale Fittizia (demo)", "a", "Vergato", (
        DemoService("socialita", "spazi", "Centro d'incontro di paese",
                    "Un luogo d'incontro aperto tre pomeriggi alla settimana, con laboratori e pranzi condivisi.",
                    "Vergato", capacity=15, available=6, days_ago=10, comuni=("Grizzana Morandi",)),
        DemoService("abitare", "abitazioni", "Appartamento supportato in Appennino",
                    "Un appartamento per due persone con visite settimanali e volontari del paese.",
                    "Alto Reno Terme", capacity=2, available=1, days_ago=24),
    ), desk="Segreteria dell'associazione"),
    ListEntity("bosco-dimostrativo", "91990280371", "Cooperativa Sociale Bosco Dimostrativo (demo)", "d",
               "Marzabotto", (
        DemoService("lavoro", "inserimenti_lavorativi", "Inserimenti lavorativi nella cura dei boschi",
                    "Sentieri, boschi e aree verdi dei comuni della valle, in squadra con operai esperti.",
                    "Marzabotto", targets=(ADULTS, ADDICTIONS), capacity=4, available=1, days_ago=6,
                    comuni=("Grizzana Morandi", "Monzuno")),
        DemoService("lavoro", "formazione", "Laboratorio formativo di manutenzione del verde",
                    "Un corso pratico di dodici incontri con attestato di frequenza.",
                    "Vergato", capacity=8, available=0, days_ago=14),
    )),
    ListEntity("pianura-inventata", "91990290370", "Cooperativa Sociale Pianura Inventata (demo)", "d",
               "San Giovanni in Persiceto", (
        DemoService("abitare", "abitazioni", "Gruppo appartamento in pianura",
                    "Quattro posti con operatori presenti di giorno, vicino al centro del paese.",
                    "San Giovanni in Persiceto", capacity=4, available=1, days_ago=3, transport=TRAIN),
        DemoService("lavoro", "inserimenti_lavorativi", "Tirocini di inclusione in agricoltura",
                    "Tirocini nell'azienda agricola della cooperativa: orto, frutteto, vendita diretta.",
                    "Crevalcore", capacity=4, available=2, days_ago=15, comuni=("Sant'Agata Bolognese",)),
        DemoService("socialita", "attivita_sociali", "Cene e feste di comunità",
                    "Una cena al mese e le feste di paese preparate insieme a soci e volontari.",
                    "Sant'Agata Bolognese", capacity=20, available=10, days_ago=28),
    )),
    ListEntity("teatro-immaginario", "91990300377", "APS Teatro Immaginario (demo)", "b", "Calderara di Reno", (
        DemoService("socialita", "attivita_sociali", "Laboratorio teatrale integrato",
                    "Un laboratorio settimanale con uno spettacolo finale, aperto a soci e persone seguite "
                    "dai servizi.",
                    "Calderara di Reno", targets=(ADULTS, MINORS), capacity=14, available=3, days_ago=8),
        DemoService("socialita", "attivita_sociali", "Gruppo di lettura ad alta voce",
                    "Letture ad alta voce in biblioteca, ogni due settimane.",
                    "Sala Bolognese", capacity=10, available=6, days_ago=70),
    ), desk="Segreteria dei laboratori"),
    ListEntity("bottega-esempio", "91990310376", "Impresa Sociale Bottega Esempio (demo)", "d",
               "Granarolo dell'Emilia", (
        DemoService("lavoro", "inserimenti_lavorativi", "Inserimenti lavorativi nella bottega del riuso",
                    "Raccolta, riparazione e vendita di mobili e oggetti usati.",
                    "Granarolo dell'Emilia", targets=(ADULTS, ADDICTIONS), capacity=5, available=2, days_ago=5),
        DemoService("lavoro", "formazione", "Laboratori formativi di riparazione",
                    "Piccola falegnameria e riparazione di biciclette, in gruppi di quattro.",
                    "Castenaso", capacity=8, available=4, days_ago=19),
    )),
    ListEntity("ripartenza-fittizia", "91990320375", "Cooperativa Sociale Ripartenza Fittizia (demo)", "d", "Bologna", (
        DemoService("abitare", "abitazioni", "Appartamento di sgancio",
                    "Tre posti per persone che concludono un percorso di cura delle dipendenze, con un educatore "
                    "di riferimento.",
                    "Bologna", targets=(ADDICTIONS,), capacity=3, available=1, days_ago=2),
        DemoService("lavoro", "inserimenti_lavorativi", "Tirocini di inclusione per chi esce da una dipendenza",
                    "Tirocini nei servizi di pulizia e facchinaggio della cooperativa, con un tutor.",
                    "Bologna", targets=(ADDICTIONS,), capacity=4, available=0, days_ago=47),
        DemoService("socialita", "attivita_sociali", "Attività del tempo libero del fine settimana",
                    "Uscite in città, cinema e cucina il sabato pomeriggio.",
                    "Bologna", targets=(ADDICTIONS, ADULTS), capacity=10, available=4, days_ago=9),
    ), desk="Accoglienza"),
    ListEntity("crescere-esempio", "91990330374", "Cooperativa Sociale Crescere Insieme Esempio (demo)", "d",
               "Pianoro", (
        DemoService("socialita", "spazi", "Centro educativo pomeridiano per adolescenti",
                    "Compiti, laboratori e sport in piccoli gruppi, quattro pomeriggi alla settimana.",
                    "Pianoro", targets=(MINORS,), capacity=12, available=2, days_ago=6),
        DemoService("lavoro", "formazione", "Orientamento e laboratori pre-lavorativi per 16-17enni",
                    "Percorsi brevi di orientamento con visite in azienda e un primo laboratorio.",
                    "San Lazzaro di Savena", targets=(MINORS,), capacity=8, available=3, days_ago=16),
        DemoService("abitare", "abitazioni", "Appartamento per giovani in uscita dai percorsi NPIA",
                    "Due posti per giovani che compiono 18 anni, con un educatore e il passaggio ai servizi per "
                    "adulti.",
                    "Bologna", targets=(MINORS, ADULTS), capacity=2, available=1, days_ago=22),
    ), desk="Segreteria educativa"),
    ListEntity("sentiero-verde", "91990340373", "APS Sentiero Verde Inventato (demo)", "b", "Valsamoggia", (
        DemoService("socialita", "attivita_sociali", "Orti e passeggiate in collina",
                    "Un orto sociale e passeggiate nei dintorni, due mattine alla settimana.",
                    "Valsamoggia", capacity=10, available=4, days_ago=11, comuni=("Monte San Pietro",)),
        DemoService("lavoro", "inserimenti_lavorativi", "Tirocini in azienda agricola sociale",
                    "Tirocini in vigna e in cantina presso un'azienda agricola associata.",
                    "Valsamoggia", capacity=2, available=0, days_ago=31),
    )),
    ListEntity("vicini-di-casa", "91990350372", "ODV Vicini di Casa Dimostrativa (demo)", "a", "Molinella", (
        DemoService("socialita", "volontariato", "Compagnia e accompagnamento dei volontari",
                    "Volontari per passeggiate, commissioni e visite, nei paesi della pianura.",
                    "Molinella", capacity=8, available=3, days_ago=4, comuni=("Baricella", "Malalbergo")),
        DemoService("abitare", "volontariato", "Sostegno alla vita autonoma a domicilio",
                    "Aiuto nella cura della casa e nella spesa per chi vive da solo.",
                    "Molinella", capacity=4, available=1, days_ago=29, districts=("pianura-est",)),
    ), desk="Sportello volontari"),
    # the states other than qualified
    ListEntity("nuovi-passi", "91990360371", "Associazione Nuovi Passi Esempio ETS (demo)", "g", "Sasso Marconi", (
        DemoService("socialita", "attivita_sociali", "Gruppo di cammino e cultura",
                    "Visite a musei e passeggiate in gruppo, una volta alla settimana.",
                    "Sasso Marconi", capacity=10, available=6, days_ago=3),
    ), state="requested", desk="Segreteria"),
    ListEntity("lungoreno-fittizia", "91990370370", "Cooperativa Sociale Lungoreno Fittizia (demo)", "d",
               "Casalecchio di Reno", (
        DemoService("lavoro", "inserimenti_lavorativi", "Inserimenti lavorativi nelle pulizie",
                    "Inserimenti in cooperativa di tipo B nelle pulizie di uffici.",
                    "Casalecchio di Reno", capacity=3, available=1, days_ago=90),
    ), state="suspended"),
    ListEntity("estate-insieme", "91990380379", "APS Estate Insieme Dimostrativa (demo)", "b", "Budrio", (
        DemoService("socialita", "attivita_sociali", "Attività all'aperto di primavera",
                    "Gite e giochi all'aperto da febbraio a giugno 2026.",
                    "Budrio", targets=(ADULTS, MINORS), capacity=15, available=0, days_ago=160),
    ), state="expired", desk="Segreteria"),
)

QUALIFY_REASON = {
    "a": "Requisiti verificati: organizzazione di volontariato iscritta al RUNTS, esperienza documentata con "
         "persone seguite dai servizi, servizi coerenti con l'avviso.",
    "b": "Requisiti verificati: associazione di promozione sociale iscritta al RUNTS, esperienza documentata, "
         "servizi coerenti con l'avviso.",
    "c": "Requisiti verificati: ente filantropico iscritto al RUNTS; i servizi sostengono i progetti abitativi "
         "e di inserimento lavorativo.",
    "d": "Requisiti verificati: impresa sociale iscritta al Registro delle imprese (sezione imprese sociali "
         "del RUNTS), esperienza documentata nei progetti con Budget di Salute.",
    "g": "Requisiti verificati: ente del Terzo settore iscritto al RUNTS, esperienza documentata.",
}
EXPIRED_REASON = ("Requisiti verificati; iscrizione limitata al 30/06/2026 perché l'ente ha indicato attività "
                  "solo per il primo semestre 2026.")
SUSPEND_REASON = ("Sospesa: la polizza di responsabilità civile verso terzi è scaduta il 31/08/2026 e non è "
                  "stata rinnovata. L'iscrizione riprende con la presentazione della nuova polizza.")


def ensure_demo_qualified_list(authority: Authority, accounts: dict[str, User], report) -> None:
    """The case managers, the list notice and its entries. Idempotent."""
    rup = accounts["rup@demo.coprog.it"]
    passwords = _Passwords()
    _ensure_case_managers(authority, passwords, report)
    notice = _ensure_notice(authority, rup, report)
    users = {entity.key: _ensure_user(entity, passwords, report) for entity in LIST_ENTITIES}
    organisations = {entity.key: _ensure_organisation(entity, users[entity.key], report) for entity in LIST_ENTITIES}
    procedure = notice.procedure
    if db.session.scalar(select(func.count(QualifiedEntry.id)).where(QualifiedEntry.procedure_id == procedure.id)):
        report.existing.append("iscrizioni all'elenco dei soggetti qualificati")
        return
    outbox_before = db.session.scalar(select(func.max(OutboxMessage.id))) or 0
    story = _Story(procedure, rup, _types(authority), _axes(authority), _comuni(authority),
                   _contributions_by_organisation())
    co_programming = db.session.scalar(select(Procedure).where(Procedure.slug == content.SLUG)).notice
    by_code = {entity.code: key for key, entity in BY_KEY.items()}
    entries = 0
    for application in admitted(co_programming):  # every admitted ETS of the co-programming
        organisation = application.organisation
        key = by_code[organisation.codice_fiscale]
        representative = next(m.user for m in organisation.members if m.role == MemberRole.LEGAL_REPRESENTATIVE)
        entity = BY_KEY[key]
        story.add(organisation, representative, ADMITTED_SERVICES[key], key=key, section=entity.section)
        entries += 1
    for entity in LIST_ENTITIES:
        story.add(organisations[entity.key], users[entity.key], entity.services, key=entity.key,
                  section=entity.section, state=entity.state, desk=entity.desk)
        entries += 1
    # The decisions went to fictional addresses: nothing to send.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id > outbox_before))
    db.session.flush()
    report.created.append(f"elenco dei soggetti qualificati: {entries} iscrizioni, {story.services} servizi")


# Case managers --------------------------------------------------------------------------------


class _Passwords:
    """The demo password, hashed once per load for the accounts made here: argon2 with the
    standard parameters takes a tenth of a second or more per hash, and the demo password is
    public anyway (the accounts still differ by id, and each one's own change makes a new hash)."""

    def __init__(self):
        self._hash: str | None = None

    def new_user(self, email: str, name: str, role: Role, verified: datetime) -> User:
        if self._hash is None:
            self._hash = hasher().hash(content.DEMO_PASSWORD)
        user = User(email=email, full_name=name, role=role, is_demo=True,
                    email_verified_at=naive_utc(rome_to_utc(verified)), password_hash=self._hash)
        db.session.add(user)
        return user


def _ensure_case_managers(authority: Authority, passwords: _Passwords, report) -> None:
    centres = set(db.session.scalars(select(ServiceCentre.code).where(
        ServiceCentre.authority_id == authority.id, ServiceCentre.kind == "csm")))
    existing = set(db.session.scalars(select(User.email).where(User.email.in_([e for _c, e, _n in CASE_MANAGERS]))))
    for centre, email, name in CASE_MANAGERS:
        if email in existing:
            report.existing.append(f"utente {email}")
        elif centre in centres:
            passwords.new_user(email, name, Role.CASE_MANAGER, QUALIFIED_AT)
            report.created.append(f"utente {email}")
    db.session.flush()


# The notice -----------------------------------------------------------------------------------


def _ensure_notice(authority: Authority, rup: User, report) -> Notice:
    existing = db.session.scalar(select(Procedure).where(Procedure.slug == SLUG))
    if existing is not None:
        report.existing.append(f"procedura {SLUG}")
        return existing.notice
    data = dict(NOTICE)
    data["deadline_at"] = rome_to_utc(CLOSES_AT)
    data["axis_ids"] = [a.id for a in authority.axes]
    data["district_ids"] = [d.id for d in authority.districts]
    lines = ["Azienda USL di Bologna – Dipartimento di Salute Mentale e Dipendenze Patologiche.", NOTICE["title"] + ".",
             "Ai sensi dell'art. 55 del D.Lgs. 117/2017 e dell'art. 17, comma 3, della L.R. Emilia-Romagna 3/2023."]
    uploads = [notices.Upload(kind=AttachmentKind(kind), filename=filename, data=demo_pdf(title, lines), title=title)
               for kind, title, filename in ATTACHMENTS]
    published = rome_to_utc(PUBLISHED_AT)
    with dated(PUBLISHED_AT - timedelta(days=1)):
        notice = notices.create_notice(authority, SLUG, data, uploads, by=rup)
    for kind, title, day in MILESTONES:
        starts, ends, all_day = notices.milestone_times(day, None, None)
        notice.milestones.append(Milestone(kind=MilestoneKind(kind), title=title, starts_at=starts, ends_at=ends,
                                           all_day=all_day, internal=False))
    for attachment in notice.attachments:
        attachment.added_at = naive_utc(published)
    with dated(PUBLISHED_AT):
        notice.publish(by=rup, now=published)
    notice.procedure.created_at = naive_utc(published - timedelta(days=1))
    report.created.append(f"procedura {SLUG} (elenco dei soggetti qualificati)")
    return notice


# The list's own ETS ---------------------------------------------------------------------------


def _registered_at(entity: ListEntity) -> datetime:
    return REQUESTED_AT - timedelta(days=2) if entity.state == "requested" else APPLIED_AT - timedelta(days=3)


def _ensure_user(entity: ListEntity, passwords: _Passwords, report) -> User:
    email = f"rappresentante.{entity.key}@{DEMO_DOMAIN}"
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        verified = _registered_at(entity) - timedelta(minutes=20)
        user = passwords.new_user(email, f"{LEGAL_REP} – {entity.name}", Role.ETS, verified)
        db.session.flush()
        report.created.append(f"utente {email}")
    return user


def _ensure_organisation(entity: ListEntity, user: User, report) -> Organisation:
    existing = db.session.scalar(select(Organisation).where(Organisation.codice_fiscale == entity.code))
    if existing is not None:
        return existing
    data = runts_prefill(entity.code) or {
        "name": entity.name, "runts_section": entity.section, "seat_comune": entity.comune, "seat_province": "BO",
    }
    data |= {"email": f"info.{entity.key}@{DEMO_DOMAIN}", "pec": f"{entity.key}@pec.{DEMO_DOMAIN}",
             "phone": "051 000 0000"}
    at = _registered_at(entity)
    with dated(at):
        organisation = register_organisation(entity.code, data, MemberRole.LEGAL_REPRESENTATIVE, by=user)
    organisation.created_at = naive_utc(rome_to_utc(at))
    report.created.append(f"ente {entity.name}")
    return organisation


# Entries and services -------------------------------------------------------------------------


def _types(authority: Authority) -> dict[str, int]:
    return {t.code: t.id for t in resource_types_of(authority, active_only=False)}


def _axes(authority: Authority) -> dict[str, int]:
    return {a.code: a.id for a in db.session.scalars(select(Axis).where(Axis.authority_id == authority.id))}


def _comuni(authority: Authority) -> dict[str, Comune]:
    return {c.name: c for district in authority.districts for c in district.comuni}


def _contributions_by_organisation() -> dict[tuple[int, int, int], list[Contribution]]:
    """The published contributions of the co-programming by (organisation, axis, resource type)."""
    found: dict[tuple[int, int, int], list[Contribution]] = {}
    query = (select(Contribution, Actor.organisation_id).join(Actor, Actor.id == Contribution.actor_id)
             .join(Procedure, Procedure.id == Contribution.procedure_id)
             .where(Procedure.slug == content.SLUG, Contribution.state == ContributionState.APPROVED,
                    Actor.organisation_id.is_not(None))
             .order_by(Contribution.id))
    for contribution, organisation_id in db.session.execute(query):
        found.setdefault((organisation_id, contribution.axis_id, contribution.resource_type_id), []).append(contribution)
    return found


@dataclass
class _Story:
    procedure: Procedure
    rup: User
    types: dict[str, int]
    axes: dict[str, int]
    comuni: dict[str, Comune]
    contributions: dict[tuple[int, int, int], list[Contribution]]
    services: int = 0
    turn: int = 0

    def add(self, organisation: Organisation, user: User, services, *, key: str, section: str,
            state: str = "qualified", desk: str = "Sportello inserimenti") -> QualifiedEntry:
        self.turn += 1
        applied = REQUESTED_AT if state == "requested" else APPLIED_AT + timedelta(minutes=37 * self.turn)
        entry = QualifiedEntry(procedure=self.procedure, organisation=organisation, contact_desk=desk,
                               contact_email=f"sportello.{key}@{DEMO_DOMAIN}", contact_phone="051 000 0000",
                               created_at=naive_utc(rome_to_utc(applied)))
        db.session.add(entry)
        db.session.flush()
        with dated(applied):
            audit.record(entry, "request", by=user, to_state=entry.state.value)
            saved = [(self._service(entry, spec, user), spec) for spec in services]
        for service, spec in saved:
            said = max(utcnow() - timedelta(days=spec.days_ago, hours=self.turn % 7),
                       rome_to_utc(applied) + timedelta(minutes=10))
            service.created_at = naive_utc(rome_to_utc(applied))
            if service.available is not None:
                service.availability_updated_at = naive_utc(said)
        self.services += len(saved)
        if state == "requested":
            return entry
        decided = QUALIFIED_AT + timedelta(minutes=4 * self.turn)
        validity = SHORT_VALIDITY if state == "expired" else VALIDITY
        reason = EXPIRED_REASON if state == "expired" else QUALIFY_REASON[section]
        self._decide(entry, Decision.QUALIFY, reason, decided, validity)
        if state == "suspended":
            self._decide(entry, Decision.SUSPEND, SUSPEND_REASON, SUSPENDED_AT)
        elif state == "expired":  # what the nightly run (entries.run_expiry) does, for this entry only
            with dated(EXPIRED_AT):
                entry.move(EntryState.EXPIRED)
                audit.record(entry, "expire", from_state=EntryState.QUALIFIED.value, to_state=EntryState.EXPIRED.value)
        return entry

    def _decide(self, entry: QualifiedEntry, decision: Decision, reason: str, at: datetime,
                validity: Validity | None = None) -> None:
        with dated(at):
            decide(entry, decision, reason, by=self.rup, validity=validity)
        entry.decided_at = naive_utc(rome_to_utc(at))

    def _service(self, entry: QualifiedEntry, spec: DemoService, user: User):
        comune = self.comuni[spec.comune]
        district_ids = {comune.district_id} | {d.id for d in self.procedure.authority.districts if d.code in spec.districts}
        data = {
            "title": spec.title, "description": spec.description, "axis_id": self.axes[spec.axis],
            "resource_type_id": self.types[spec.kind], "targets": list(spec.targets), "comune_id": comune.id,
            "district_ids": sorted(district_ids), "comune_ids": [self.comuni[name].id for name in spec.comuni],
            "capacity": spec.capacity, "available": spec.available, "step_free": spec.step_free,
            "public_transport": spec.transport, "access_notes": spec.access,
        }
        service = save_service(entry, data, by=user)
        service.contributions = list(self.contributions.get(
            (entry.organisation_id, service.axis_id, service.resource_type_id), []))
        return service
