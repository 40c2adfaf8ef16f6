"""Demo tables of the Bologna 2025 procedure, reproducing seed 002 exactly with fictional people.

Three axis days (Lavoro 29 Oct, Abitare 12 Nov, Socialità 25 Nov 2025), six table groups per
axis, two shifts (the times are not in the seed: 9:30–12:30 and 14:30–17:30, the northern and
Bologna tables in the morning, the plain and Savena Idice in the afternoon, as the Socialità
"plenaria pomeriggio" suggests). Socialità merges Bologna Est + Ovest, and Savena Idice +
Pianura Est + Pianura Ovest in one afternoon plenary, while people registered per group.

Every figure is produced by the real use-cases: one registration per person registered
(seed: "Tavolo Lavoro 33 persone"), one check-in per person who attended, by category (seed:
"PARTECIPANTI ASSE …", AUSL / Servizi sociali / Privato sociale). Where the seed gives the
attendance of a merged session only, it is split among its groups in proportion to their
registrations. People who registered and did not come (no-shows) take the categories in turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import cycle

from sqlalchemy import delete, func, select

from ..auth.models import User
from ..core.time import rome_to_utc
from ..extensions import db
from ..notices.models import Notice
from ..notify.models import OutboxMessage
from ..tables.models import Registration, TableGroup, TableSession
from ..tables.services import planning
from ..tables.services.checkin import check_in
from ..tables.services.registrations import register
from ..territory.models import Axis, District, SubArea
from .applications import DEMO_DOMAIN, dated

MORNING = (time(9, 30), time(12, 30))
AFTERNOON = (time(14, 30), time(17, 30))
CATEGORIES = ("ausl", "servizi_sociali", "ets")  # the three of seed 002's tables


@dataclass(frozen=True)
class Group:
    key: str
    name: str
    districts: tuple[str, ...] = ()
    sub_areas: tuple[str, ...] = ()
    place: str = ""


GROUPS = (
    Group("appennino-rls", "Appennino e Reno Lavino Samoggia", ("appennino-bolognese", "reno-lavino-samoggia"),
          place="Sala del Distretto, Casalecchio di Reno (luogo dimostrativo)"),
    Group("bologna-ovest", "Bologna Ovest", sub_areas=("bologna-ovest",),
          place="Sala riunioni DSM-DP, Bologna (luogo dimostrativo)"),
    Group("bologna-est", "Bologna Est", sub_areas=("bologna-est",),
          place="Sala del Quartiere, Bologna (luogo dimostrativo)"),
    Group("pianura-est", "Pianura Est", ("pianura-est",), place="Sala consiliare, Budrio (luogo dimostrativo)"),
    Group("pianura-ovest", "Pianura Ovest", ("pianura-ovest",),
          place="Casa della Comunità, San Giovanni in Persiceto (luogo dimostrativo)"),
    Group("savena-idice", "Savena Idice", ("savena-idice",),
          place="Sala del Distretto, San Lazzaro di Savena (luogo dimostrativo)"),
)
GROUP_KEYS = tuple(g.key for g in GROUPS)
DAYS = {"lavoro": date(2025, 10, 29), "abitare": date(2025, 11, 12), "socialita": date(2025, 11, 25)}

# Seed 002, "Date Tavoli di lavoro, iscritti e Distretti": registered per group, GROUPS order.
REGISTERED = {
    "lavoro": (33, 42, 30, 31, 18, 22),
    "abitare": (35, 37, 25, 25, 20, 21),
    "socialita": (34, 36, 27, 25, 21, 22),
}
# Seed 002, "PARTECIPANTI …": attended (AUSL, Servizi sociali, Privato sociale) per session.
# (axis, groups of the session, shift, attended)
SESSIONS = (
    ("lavoro", ("appennino-rls",), MORNING, (13, 2, 14)),
    ("lavoro", ("bologna-ovest",), MORNING, (6, 4, 14)),
    ("lavoro", ("bologna-est",), MORNING, (5, 2, 17)),
    ("lavoro", ("pianura-est",), AFTERNOON, (3, 3, 23)),
    ("lavoro", ("pianura-ovest",), AFTERNOON, (2, 0, 12)),
    ("lavoro", ("savena-idice",), AFTERNOON, (6, 2, 7)),
    ("abitare", ("appennino-rls",), MORNING, (8, 1, 11)),
    ("abitare", ("bologna-ovest",), MORNING, (11, 5, 15)),
    ("abitare", ("bologna-est",), MORNING, (3, 3, 13)),
    ("abitare", ("pianura-est",), AFTERNOON, (2, 2, 13)),
    ("abitare", ("pianura-ovest",), AFTERNOON, (5, 1, 7)),
    ("abitare", ("savena-idice",), AFTERNOON, (8, 1, 7)),
    ("socialita", ("appennino-rls",), MORNING, (9, 2, 11)),
    ("socialita", ("bologna-ovest", "bologna-est"), MORNING, (15, 5, 30)),
    ("socialita", ("pianura-est", "pianura-ovest", "savena-idice"), AFTERNOON, (17, 3, 26)),
)
MERGED_TITLES = {
    ("bologna-ovest", "bologna-est"): "Bologna Est e Ovest (aggregati)",
    ("pianura-est", "pianura-ovest", "savena-idice"): "Plenaria del pomeriggio: Savena Idice, Pianura Est e Ovest",
}
REGISTRATION_OPENS = date(2025, 10, 10)  # seed 002: dates communicated to the admitted
CALENDAR_SENT_AT = datetime(2025, 10, 10, 8, 30)

FIRST_NAMES = (
    "Alessandra", "Andrea", "Anna", "Antonio", "Barbara", "Carlo", "Chiara", "Claudia", "Cristina",
    "Daniele", "Davide", "Elena", "Elisa", "Emanuele", "Federica", "Francesca", "Francesco", "Giacomo",
    "Giorgia", "Giovanni", "Giulia", "Laura", "Lorenzo", "Luca", "Marco", "Maria", "Marta", "Matteo",
    "Michela", "Nicola", "Paola", "Paolo", "Roberta", "Roberto", "Sara", "Silvia", "Simone", "Stefano",
    "Valentina", "Valerio",
)
# Surnames no one has: the people of the demo are plainly invented.
SURNAMES = (
    "Esempini", "Provetti", "Campionelli", "Modellini", "Fittizzi", "Immaginelli", "Inventari",
    "Dimostri", "Simulanti", "Ipotetti", "Verosimi", "Fantasiotti", "Bozzetti", "Schizzoni",
    "Abbozzi", "Prototti", "Figurini", "Sagomelli", "Ritrattini", "Copioni", "Minuti", "Appuntini",
    "Tracciotti", "Disegnini", "Calchetti", "Stampini", "Timbrelli", "Quadernini", "Matitoni",
    "Gommetti", "Righelli", "Squadrini",
)
AFFILIATION_AUSL = "AUSL di Bologna – DSM-DP"
SOCIAL_SERVICES = {
    "appennino-rls": ("Unione dei Comuni dell'Appennino Bolognese", "Unione dei Comuni Valli del Reno, Lavino e Samoggia"),
    "bologna-ovest": ("Comune di Bologna – Servizio sociale territoriale",),
    "bologna-est": ("Comune di Bologna – Servizio sociale territoriale",),
    "pianura-est": ("Unione Reno Galliera", "Unione dei Comuni Terre di Pianura"),
    "pianura-ovest": ("Unione Terred'acqua",),
    "savena-idice": ("Unione dei Comuni Savena-Idice",),
}


def ensure_demo_tables(notice: Notice, accounts: dict[str, User], report) -> None:
    procedure = notice.procedure
    if db.session.scalar(select(func.count(TableSession.id)).where(TableSession.procedure_id == procedure.id)):
        report.existing.append("tavoli dimostrativi")
        return
    rup, facilitator = accounts["rup@demo.coprog.it"], accounts["facilitatore@demo.coprog.it"]
    categories = {c.code: c for c in planning.categories_of(procedure)}
    groups = _create_groups(procedure, rup)
    outbox_before = db.session.scalar(select(func.max(OutboxMessage.id))) or 0
    sessions = [_create_session(procedure, axis_code, keys, shift, groups, rup, facilitator)
                for axis_code, keys, shift, _attended in SESSIONS]
    # Seed 002: on 10 October 2025 the admitted were told the dates of the tables.
    with dated(CALENDAR_SENT_AT):
        planning.communicate_calendar(procedure, by=rup, now=rome_to_utc(CALENDAR_SENT_AT))
    people = _people()
    ets = _ets_registrants(notice)
    for session, (axis_code, keys, _shift, attended) in zip(sessions, SESSIONS, strict=True):
        _fill(session, [groups[(axis_code, k)] for k in keys], axis_code, attended, categories, people, ets, rup,
              facilitator)
    # The calendar and the confirmations went to fictional addresses: nothing to send.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id > outbox_before))
    db.session.flush()
    report.created.append(f"{len(SESSIONS)} incontri dei tavoli con iscrizioni e presenze (seed 002)")


def _create_groups(procedure, rup) -> dict[tuple[str, str], TableGroup]:
    axes = {a.code: a for a in db.session.scalars(select(Axis).where(Axis.authority_id == procedure.authority_id))}
    districts = {d.code: d.id for d in db.session.scalars(select(District).where(District.authority_id == procedure.authority_id))}
    sub_areas = {s.code: s.id for s in db.session.scalars(select(SubArea))}
    groups = {}
    with dated(datetime(2025, 10, 6, 10, 0)):
        for axis_code in DAYS:
            for group in GROUPS:
                data = {
                    "axis_id": axes[axis_code].id, "name": group.name,
                    "district_ids": [districts[c] for c in group.districts],
                    "sub_area_ids": [sub_areas[c] for c in group.sub_areas],
                }
                groups[(axis_code, group.key)] = planning.save_group(procedure, None, data, by=rup)
    return groups


def _create_session(procedure, axis_code, keys, shift, groups, rup, facilitator) -> TableSession:
    day = DAYS[axis_code]
    starts, ends = (rome_to_utc(datetime.combine(day, t)) for t in shift)
    first = next(g for g in GROUPS if g.key == keys[0])
    registered = sum(REGISTERED[axis_code][GROUP_KEYS.index(k)] for k in keys)
    data = {
        "axis_id": groups[(axis_code, keys[0])].axis_id, "group_ids": [groups[(axis_code, k)].id for k in keys],
        "starts_at": starts, "ends_at": ends, "title": MERGED_TITLES.get(keys, ""),
        "place": first.place, "capacity": (registered // 10 + 1) * 10 + 5, "facilitator_ids": [facilitator.id],
    }
    with dated(datetime(2025, 10, 6, 11, 0)):
        return planning.save_session(procedure, None, data, by=rup)


def _people():
    """An endless supply of distinct fictional (name, e-mail)."""
    n = 0
    while True:
        first, last = FIRST_NAMES[n % len(FIRST_NAMES)], SURNAMES[(n // len(FIRST_NAMES) + n) % len(SURNAMES)]
        yield f"{first} {last}", f"{first}.{last}.{n}@{DEMO_DOMAIN}".lower()
        n += 1


def _ets_registrants(notice: Notice):
    """The admitted demo ETS in turn, each with the user who registers its people."""
    from ..applications.admission import admitted

    pairs = [(a.organisation, a.organisation.members[0].user) for a in admitted(notice)]
    return cycle(pairs)


def _split(attended: tuple[int, ...], registered: list[int]) -> list[list[int]]:
    """A merged session's attendance per category, split among its groups in proportion to
    their registrations (the last group takes the remainder)."""
    total = sum(registered)
    split = [[round(count * r / total) for count in attended] for r in registered[:-1]]
    split.append([count - sum(row[i] for row in split) for i, count in enumerate(attended)])
    return split


def _fill(session, groups, axis_code, attended, categories, people, ets, rup, facilitator) -> None:
    registered = [REGISTERED[axis_code][GROUP_KEYS.index(_key(g))] for g in groups]
    no_show_categories = cycle(("ets", "ausl", "ets", "servizi_sociali"))
    registered_at = rome_to_utc(datetime.combine(REGISTRATION_OPENS, time(9, 0)))
    present: list[Registration] = []
    with dated(datetime.combine(REGISTRATION_OPENS, time(9, 0))):
        for group, count, came in zip(groups, registered, _split(attended, registered), strict=True):
            codes = [code for code, n in zip(CATEGORIES, came, strict=True) for _ in range(n)]
            codes += [next(no_show_categories) for _ in range(count - len(codes))]
            for index, code in enumerate(codes):
                registration = _register(session, group, categories[code], people, ets, rup,
                                         registered_at + timedelta(minutes=len(present) + index))
                if index < sum(came):
                    present.append(registration)
    with dated(datetime.combine(DAYS[axis_code], time(9, 25))):
        for minute, registration in enumerate(present):
            check_in(registration, by=facilitator, now=session.starts_at + timedelta(seconds=20 * minute) - timedelta(minutes=10))


def _key(group: TableGroup) -> str:
    return next(g.key for g in GROUPS if g.name == group.name)


def _register(session, group, category, people, ets, rup, at) -> Registration:
    name, email = next(people)
    if category.code == "ets":
        organisation, user = next(ets)
        return register(session, group, category, full_name=name, email=email, affiliation=organisation.name,
                        organisation_id=organisation.id, by=user, now=at)
    affiliation = AFFILIATION_AUSL if category.code == "ausl" else _social_service(group)
    return register(session, group, category, full_name=name, email=email, affiliation=affiliation, by=rup, now=at)


def _social_service(group: TableGroup) -> str:
    options = SOCIAL_SERVICES[_key(group)]
    return options[group.id % len(options)]


