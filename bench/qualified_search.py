"""Bench of the case managers' search of the list of qualified entities: 5,000 entries, 20,000
services and the 152,600-row RUNTS mirror.

1. A fresh database (schema and the Bologna preset, no demo) gets the RUNTS mirror from a real
   import (`import_runts` of the list that bench/runts_import.py generates, 152,600 rows), then
   a generator writes in bulk (Core executemany; primary keys assigned here, nothing read back):
   one list procedure (elenco_qualificati) with its published notice; 5,000 organisations,
   entities of that mirror, each with its entry, qualified and valid today; 20,000 services
   spread over them (log-normal, at least one each): on the three axes, of a type of the axis,
   for adults of the CSM mostly (some minors, some SerDP), offered in a comune of the preset
   (Bologna much more than the others) at a point around the comune's own, a district or a
   few comuni covered besides, places free now or none, availability said days or months ago;
   titles and descriptions in Italian from phrase lists, and `search_text` written as the
   application writes it (`search_text_of`: the entity's name, title, description, type,
   address, comune, through `normalise`), which fills the FTS5 index through its triggers. A
   case manager (known password) and a key of the v1 API are created the real way. Prints how
   long each part took and how many services the words searched hit.
2. One search in this process (`search()` alone, then the whole page and the whole API
   answer): median milliseconds and SQL statements.
3. As bench/run.py does (gunicorn, same client, rounds interleaved with the bare Flask app,
   medians) a realistic search, page 1, asked again as the load repeats it (served from the
   cache of core/cache.py until the list changes: personal_page for the page, shared_answer
   for the API), and the same with the cache off (what a new search costs, reported): housing (axis "Abitare") for adults of the CSM, places
   free now, within 10 km of Bologna, with one word and without, on the page
   GET /elenco-qualificati/ricerca (the session cookie of the case manager, signed in once
   through POST /accedi with its CSRF token) and on GET /api/v1/services (`Authorization:
   Bearer <key>`; the per-key rate limit is switched off, COPROG_API_RATE_PER_MINUTE=0, else
   the load would be answered 429 after 120 requests).

Goals (issue 7): every search >= 30 % of the bare Flask app's req/s, its p95 <= 3 x the bare app's.

    make bench-qualified
    python bench/qualified_search.py --rounds 3 --seconds 3
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import run  # bench/run.py: servers, clients, medians
import runts_import  # bench/runts_import.py: the generated RUNTS list
from restitution import spread

sys.path.insert(0, str(run.ROOT))

from flask import current_app  # noqa: E402
from sqlalchemy import event, func, insert, select  # noqa: E402

from coprog import create_app  # noqa: E402
from coprog.auth.models import User  # noqa: E402
from coprog.auth.passwords import hasher  # noqa: E402
from coprog.core.roles import Role  # noqa: E402
from coprog.core.time import naive_utc, rome_today, utcnow  # noqa: E402
from coprog.extensions import db  # noqa: E402
from coprog.mapping.services.contributions import resource_types_of  # noqa: E402
from coprog.notices.models import (  # noqa: E402
    Notice,
    NoticeState,
    Procedure,
    ProcedureKind,
    notice_axes,
    notice_districts,
)
from coprog.organisations.models import Organisation  # noqa: E402
from coprog.qualified.api_keys import issue_key  # noqa: E402
from coprog.qualified.models import (  # noqa: E402
    EntryService,
    EntryState,
    QualifiedEntry,
    Target,
    entry_service_comuni,
    entry_service_districts,
)
from coprog.qualified.services.search import Filters, Origin, normalise, search  # noqa: E402
from coprog.registry.importer import import_runts  # noqa: E402
from coprog.registry.models import RuntsEntity, RuntsStatus  # noqa: E402
from coprog.territory.geo import comune_point  # noqa: E402
from coprog.territory.models import Comune  # noqa: E402
from coprog.territory.services import BOLOGNA_PRESET, default_authority, load_preset  # noqa: E402

ENTRIES = 5_000
SERVICES = 20_000
RUNTS_ROWS = runts_import.ROWS  # 152,600
BATCH = 20_000
EMAIL = "case.manager@bench.coprog.it"  # the login form refuses special-use domains (.invalid)
PASSWORD = "bench-only-password-1"  # noqa: S105 (a throw-away database)
# The login and the load send the same browser name, as one browser does: flask-login's session
# protection marks a session "not fresh" when the browser changes, and the session cookie sent
# again unchanged would be rewritten on every request, which no real browser makes happen.
USER_AGENT = "coprog-bench"
WORD = "coabitazione"  # the one word searched: a few hundred services have it
CITY = "037006"  # Bologna (ISTAT)
RADIUS_KM = 10
BOLOGNA_SHARE = 0.40  # of the services offered in the city; the rest spread over the other 44 comuni
UNCACHED = ", con parola, senza cache"  # reported, not judged: the goal is for the answers served
JITTER = {True: (0.05, 0.035), False: (0.015, 0.012)}  # degrees (lon, lat) around the point: city / elsewhere

AXES = {"lavoro": 35, "abitare": 30, "socialita": 35}  # services per axis (weights)
TYPES = {  # type code: weight, by axis
    "abitare": {"abitazioni": 45, "figure_professionali": 20, "finanziamenti": 15, "volontariato": 20},
    "lavoro": {"inserimenti_lavorativi": 50, "formazione": 25, "figure_professionali": 15, "finanziamenti": 10},
    "socialita": {"attivita_sociali": 60, "spazi": 20, "volontariato": 20},
}
TITLES = {
    "abitazioni": ("Gruppo appartamento", "Appartamento supportato", "Appartamento in coabitazione",
                   "Residenzialità leggera", "Alloggio di transizione", "Casa di accoglienza",
                   "Appartamento per l'autonomia", "Comunità alloggio"),
    "figure_professionali": ("Educatore domiciliare", "Facilitatore dell'abitare", "Job coach",
                             "Operatore di prossimità", "Tutor per l'autonomia", "Mediatore abitativo"),
    "finanziamenti": ("Fondo di garanzia per l'affitto", "Contributo all'affitto", "Borse lavoro",
                      "Microcredito sociale", "Contributo per le utenze"),
    "volontariato": ("Volontariato di prossimità", "Accompagnamento con volontari", "Buon vicinato",
                     "Sostegno alla vita quotidiana"),
    "inserimenti_lavorativi": ("Inserimenti lavorativi in cooperativa di tipo B", "Tirocini di inclusione",
                               "Tirocini nella ristorazione", "Inserimenti nella manutenzione del verde",
                               "Tirocini in agricoltura sociale", "Inserimenti nella logistica",
                               "Bottega del riuso"),
    "formazione": ("Laboratorio formativo di giardinaggio", "Corso di cucina", "Corso di informatica di base",
                   "Laboratorio di falegnameria", "Formazione alla sicurezza sul lavoro"),
    "attivita_sociali": ("Gruppo di cammino", "Laboratorio teatrale integrato", "Orto condiviso",
                         "Gruppo di auto-mutuo aiuto", "Attività sportive inclusive", "Laboratorio musicale",
                         "Cene di comunità", "Gruppo di lettura ad alta voce"),
    "spazi": ("Centro d'incontro", "Centro di aggregazione", "Spazio aperto di quartiere", "Circolo ricreativo"),
}
SENTENCES = {
    "abitare": (
        "Posti in alloggi diffusi con un sostegno educativo leggero e flessibile, secondo il progetto.",
        "Un operatore di riferimento passa più volte alla settimana e resta reperibile.",
        "Regole di convivenza scritte insieme dalle persone che condividono la casa.",
        "Sostegno nella ricerca della casa, nei rapporti con il condominio e con i proprietari.",
        "Percorsi verso l'abitare autonomo, con visite educative settimanali.",
        "Un volontario di riferimento per la spesa, le commissioni e la vita di quartiere.",
        "Canone calmierato e contratto intestato alla persona quando possibile.",
        "Accompagnamento nelle pratiche per le utenze e la residenza.",
    ),
    "lavoro": (
        "Inserimenti con contratto, affiancati da un tutor della cooperativa.",
        "Tirocini di sei mesi con orari costruiti sul progetto della persona.",
        "Un job coach segue la persona prima, durante e dopo il tirocinio.",
        "Attestato di frequenza e sicurezza sul lavoro alla fine del percorso.",
        "Squadre miste con lavoratori esperti, in laboratorio e nei cantieri.",
        "Rapporti costanti con le imprese del territorio e con il case manager.",
    ),
    "socialita": (
        "Due pomeriggi alla settimana, in piccoli gruppi con i volontari dell'associazione.",
        "Aperto ai soci e agli abitanti del quartiere, senza iscrizione.",
        "Uscite, gite e cene condivise preparate insieme.",
        "Uno spettacolo finale in primavera, aperto alle famiglie.",
        "Trasporto organizzato dai paesi vicini quando serve.",
        "Facilitato da persone con esperienza diretta del disagio.",
    ),
}
RARE = "Per chi esce da una struttura e desidera una coabitazione con altre persone."  # in some abitare descriptions
STREETS = ("Via Roma", "Via Emilia", "Via Mazzini", "Via Garibaldi", "Via Matteotti", "Via dei Mille",
           "Via Ferrarese", "Via San Donato", "Via Saragozza", "Via Massarenti", "Via Marconi", "Via Gramsci",
           "Piazza della Pace", "Via della Stazione", "Via Castiglione", "Via Andrea Costa")
TRANSPORT = ("", "", "Autobus urbano, fermata a pochi passi", "Stazione ferroviaria a 10 minuti a piedi",
             "Autobus extraurbano, fermata in paese")
ACCESS = ("Su proposta del case manager, dopo un colloquio di conoscenza con la persona e l'équipe.",
          "Accesso libero dopo una prima visita con il case manager.",
          "Richiesta del case manager con il progetto della persona.")
DESKS = ("Sportello inserimenti", "Segreteria", "Sportello abitare", "Ufficio progetti", "Punto di ascolto")


class Rows:
    """Rows of every table with their ids, written in bulk in the order they first appeared
    (parents first: SQLite checks the foreign keys)."""

    def __init__(self):
        self.rows: dict = defaultdict(list)
        self.next_id: dict = {}

    def add(self, table, **row) -> int | None:
        if "id" in table.c:
            if table not in self.next_id:
                self.next_id[table] = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
            row["id"] = self.next_id[table]
            self.next_id[table] += 1
        self.rows[table].append(row)
        return row.get("id")

    def write(self) -> dict[str, int]:
        for table, rows in self.rows.items():
            for start in range(0, len(rows), BATCH):
                db.session.execute(insert(table), rows[start:start + BATCH])
        return {table.name: len(rows) for table, rows in self.rows.items()}


def pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def generate_list(authority, today: date, seed: int = 7) -> dict:
    """The procedure, its notice, 5,000 organisations of the mirror with their entries, 20,000
    services; the row counts."""
    rng = random.Random(seed)
    rows = Rows()
    now = naive_utc(utcnow())
    axes = {a.code: a.id for a in authority.axes}
    types = {t.code: t for t in resource_types_of(authority)}
    comuni = [(c, d) for d in authority.districts for c in d.comuni]
    points = {c.id: comune_point(authority.slug, c.istat_code) for c, _d in comuni}
    city = next(c for c, _d in comuni if c.istat_code == CITY)
    others = [(c, d) for c, d in comuni if c.id != city.id and points[c.id]]
    city_district = next(d for c, d in comuni if c.id == city.id)

    published = now - timedelta(days=400)
    procedure = rows.add(Procedure.__table__, slug="elenco-bench", kind=ProcedureKind.QUALIFIED_LIST,
                         authority_id=authority.id, created_at=published - timedelta(days=10))
    notice = rows.add(Notice.__table__, procedure_id=procedure, state=NoticeState.PUBLISHED,
                      title="Elenco dei soggetti qualificati per la co-gestione dei progetti di Budget di Salute",
                      summary="Avviso aperto per l'iscrizione degli enti del Terzo settore all'elenco. " * 3,
                      rup_name="Responsabile del procedimento", contact_email="elenco@bench.invalid",
                      deadline_at=now + timedelta(days=3 * 365), published_at=published, closed_at=None,
                      updated_at=published)
    for axis in axes.values():
        rows.add(notice_axes, notice_id=notice, axis_id=axis)
    for district in authority.districts:
        rows.add(notice_districts, notice_id=notice, district_id=district.id)

    listed = db.session.execute(select(RuntsEntity.codice_fiscale, RuntsEntity.denominazione, RuntsEntity.sezione,
                                       RuntsEntity.repertorio, RuntsEntity.comune, RuntsEntity.provincia)
                                .where(RuntsEntity.status == RuntsStatus.LISTED).order_by(RuntsEntity.id)).all()
    sizes = spread(rng, SERVICES, ENTRIES, 0.6, low=1)
    for n, (code, name, section, repertorio, seat, province) in enumerate(rng.sample(listed, ENTRIES)):
        organisation = rows.add(Organisation.__table__, codice_fiscale=code, name=name, runts_section=section.value,
                                repertorio=repertorio, seat_comune=seat, seat_province=province,
                                pec=f"ente{n}@pec.bench.invalid", email=f"ente{n}@bench.invalid", phone="051 000 0000",
                                prefilled_from_runts=True, created_at=published, created_by_id=None)
        valid_from = today - timedelta(days=rng.randint(1, 700))
        decided = datetime.combine(valid_from, datetime.min.time()) + timedelta(hours=10)
        entry = rows.add(QualifiedEntry.__table__, procedure_id=procedure, organisation_id=organisation,
                         application_id=None, state=EntryState.QUALIFIED, valid_from=valid_from,
                         valid_until=valid_from + timedelta(days=730), review_on=valid_from + timedelta(days=365),
                         decision_reason="Requisiti verificati.", decided_at=decided, decided_by_id=None,
                         reminded_at=None, contact_desk=rng.choice(DESKS), contact_email=f"sportello{n}@bench.invalid",
                         contact_phone="051 000 0000", created_at=decided - timedelta(days=10), updated_at=decided)
        home = (city, city_district) if rng.random() < BOLOGNA_SHARE else rng.choice(others)
        for _ in range(sizes[n]):  # most at the entity's home comune
            comune, district = home if rng.random() < 0.7 else (
                (city, city_district) if rng.random() < BOLOGNA_SHARE else rng.choice(others))
            _service(rows, rng, now, entry, name, axes, types, comune, district, points[comune.id],
                     comune.id == city.id, comuni)
    return rows.write()


def _service(rows: Rows, rng: random.Random, now: datetime, entry: int, entity: str, axes: dict, types: dict,
             comune, district, point: tuple[float, float], in_city: bool, comuni: list) -> None:
    axis = pick(rng, AXES)
    kind = types[pick(rng, TYPES[axis])]
    title = f"{rng.choice(TITLES[kind.code])} a {comune.name}"
    sentences = rng.sample(SENTENCES[axis], 2)
    if axis == "abitare" and rng.random() < 0.03:
        sentences.append(RARE)
    description = " ".join(sentences)
    address = f"{rng.choice(STREETS)} {rng.randint(1, 120)}"
    adults = rng.random() < 0.8
    minors = rng.random() < 0.2
    addictions = rng.random() < 0.25 or not (adults or minors)
    capacity = None if rng.random() < 0.08 else rng.randint(2, 20)
    available = None if capacity is None else (0 if rng.random() < 0.45 else rng.randint(1, max(1, capacity // 2)))
    said = now - timedelta(days=rng.randint(0, 90), hours=rng.randint(0, 23))
    djlon, djlat = JITTER[in_city]
    # search_text as search.search_text_of writes it
    text = normalise(" ".join(p for p in (entity, title, description, kind.stored_label, address, comune.name) if p))
    service = rows.add(EntryService.__table__, entry_id=entry, axis_id=axes[axis], resource_type_id=kind.id,
                       title=title, description=description, for_adults=adults, for_minors=minors,
                       for_addictions=addictions, address=address, comune_id=comune.id,
                       latitude=point[1] + rng.uniform(-djlat, djlat), longitude=point[0] + rng.uniform(-djlon, djlon),
                       capacity=capacity, available=available, availability_updated_at=None if available is None else said,
                       step_free=rng.random() < 0.4, public_transport=rng.choice(TRANSPORT),
                       access_notes=rng.choice(ACCESS), search_text=text, created_at=said - timedelta(days=200),
                       updated_at=said)
    if rng.random() < 0.3:
        rows.add(entry_service_districts, entry_service_id=service, district_id=district.id)
    if rng.random() < 0.2:
        for other in rng.sample(comuni, rng.randint(1, 3)):
            if other[0].id != comune.id:
                rows.add(entry_service_comuni, entry_service_id=service, comune_id=other[0].id)


def generate(env: dict, folder: Path) -> dict:
    """The RUNTS mirror, then the list, the case manager and the API key; seconds and counts."""
    os.environ.update(env)
    times = {}
    started = time.perf_counter()
    data = folder / "runts.csv"
    runts_import.write_csv(data, RUNTS_ROWS)
    times["csv"] = time.perf_counter() - started
    with create_app().app_context():
        load_preset(BOLOGNA_PRESET)
        db.session.commit()
        started = time.perf_counter()
        report = import_runts(data, snapshot_date=date.fromisoformat(runts_import.SNAPSHOT))
        db.session.commit()
        times["runts"] = time.perf_counter() - started
        started = time.perf_counter()
        authority = default_authority()
        counts = generate_list(authority, rome_today())
        manager = User(email=EMAIL, full_name="Case manager del bench", role=Role.CASE_MANAGER,
                       email_verified_at=naive_utc(utcnow()), password_hash=hasher().hash(PASSWORD))
        db.session.add(manager)
        _row, key = issue_key("Bench della ricerca", by=None)
        db.session.commit()
        times["list"] = time.perf_counter() - started
        city = db.session.scalar(select(Comune).where(Comune.istat_code == CITY))
        with current_app.test_request_context():
            hits = search(Filters(text=WORD)).total  # the full-text index, as the search reads it
        axis = next(a for a in authority.axes if a.code == "abitare")
    return {"times": times, "runts": report.counts(), "counts": counts, "key": key, "city": city.id,
            "city_name": city.name, "axis": axis.id, "hits": hits}


def sign_in(app) -> object:
    """A test client of `app` signed in as the case manager through the login form (GET /accedi
    for the CSRF token, POST /accedi, then the page it redirects to, which consumes the flash)."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    html = client.get("/accedi").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    response = client.post("/accedi", data={"csrf_token": token, "email": EMAIL, "password": PASSWORD})
    assert response.status_code == 302, f"login: {response.status_code}"
    client.get(response.headers["Location"])
    return client


def session_cookie(app, client) -> str:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None, "no session cookie after the login"
    return f"{cookie.key}={cookie.value}"


def in_process(env: dict, data: dict, page_paths: dict, api_paths: dict, repeats: int = 9) -> tuple[dict, str]:
    """`search()` alone and the whole page / API answer, in this process: median ms (wall and
    CPU: on a shared machine the CPU time is the steadier), SQL statements (after a first run
    that compiles templates and fills caches); the session cookie of the case manager for the
    load test."""
    os.environ.update(env)
    app = create_app()
    statements = [0]
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *_: statements.__setitem__(0, statements[0] + 1))
    client = sign_in(app)
    cookie = session_cookie(app, client)
    found = {}

    def timed(call) -> tuple[tuple[float, float], int, object]:
        times, cpu, counts, last = [], [], [], None
        for n in range(repeats + 1):
            statements[0] = 0
            started, started_cpu = time.perf_counter(), time.process_time()
            last = call()
            if n:
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
                counts.append(statements[0])
        return (statistics.median(times), statistics.median(cpu)), round(statistics.median(counts)), last

    with app.test_request_context():
        lon, lat = comune_point("ausl-bologna", CITY)
        for name, words in (("con parola", WORD), ("senza parola", "")):
            filters = Filters(axis_id=data["axis"], target=Target.ADULTS, available_now=True, text=words,
                              origin=Origin(data["city_name"], lon, lat), radius_km=RADIUS_KM)
            took, count, results = timed(lambda f=filters: (search(f), db.session.rollback())[0])
            found[f"search(), {name}"] = (took, count, f"{results.total} servizi, {len(results.hits)} in pagina")
    headers = {"Authorization": f"Bearer {data['key']}"}
    for cached in (True, False):  # asked again (kept), then rendered each time (a new search)
        app.config["COPROG_PAGE_CACHE"] = cached
        for name, path in {**page_paths, **api_paths}.items():
            extra = headers if path in api_paths.values() else {}
            took, count, response = timed(lambda p=path, h=extra: client.get(p, headers=h))
            assert response.status_code == 200, f"{path}: {response.status_code}"
            found[name + ("" if cached else ", senza cache")] = (took, count, f"{len(response.data):,} byte")
    return found, cookie


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    print(f"{run.client_line(args.connections, args.rounds, args.seconds)}; {ENTRIES:,} enti, {SERVICES:,} servizi, "
          f"mirror RUNTS di {RUNTS_ROWS:,} righe", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        env = run.prepare_coprog(Path(tmp), demo=False)
        env["COPROG_API_RATE_PER_MINUTE"] = "0"  # the per-key limit (120 a minute) would answer the load 429
        schema = time.perf_counter() - started
        data = generate(env, Path(tmp))
        t, c = data["times"], data["counts"]
        print(f"generazione: {sum(t.values()):.1f} s (CSV RUNTS {t['csv']:.1f} s, import_runts {t['runts']:.1f} s "
              f"di {data['runts']['read']:,} righe, elenco {t['list']:.1f} s; "
              f"schema a parte: {schema:.1f} s); {c['organisations']:,} enti, {c['qualified_entries']:,} iscrizioni, "
              f"{c['entry_services']:,} servizi, {c.get('entry_service_districts', 0):,} distretti e "
              f"{c.get('entry_service_comuni', 0):,} comuni coperti in più", flush=True)
        print(f"«{WORD}» trova {data['hits']:,} servizi su {SERVICES:,}", flush=True)
        form = {"asse": data["axis"], "destinatari": "adulti_csm", "disponibili": "1", "vicino": data["city"],
                "raggio": RADIUS_KM}
        api = {"axis": "abitare", "target": "adulti_csm", "available_now": "true", "near_comune": CITY,
               "radius_km": RADIUS_KM}
        pages = {"pagina, con parola": f"/elenco-qualificati/ricerca?{urlencode({**form, 'testo': WORD})}",
                 "pagina, senza parola": f"/elenco-qualificati/ricerca?{urlencode(form)}"}
        apis = {"API v1, con parola": f"/api/v1/services?{urlencode({**api, 'q': WORD})}",
                "API v1, senza parola": f"/api/v1/services?{urlencode(api)}"}
        found, cookie = in_process(env, data, pages, apis)
        print("nel processo (mediana di 9, dopo una prima volta):")
        for name, ((took, cpu), count, note) in found.items():
            print(f"  {name:<36}{took:>7.1f} ms (CPU {cpu:.1f} ms) {count:>4} istruzioni SQL  ({note})")
        for name, path in {**pages, **apis}.items():
            print(f"  {name}: {path}")
        session = {"Cookie": cookie, "User-Agent": USER_AGENT}
        bearer = {"Authorization": f"Bearer {data['key']}"}
        targets = {"hello (Flask nudo)": ("baseline", "/"),
                   **{name: ("coprog", path, session) for name, path in pages.items()},
                   **{name: ("coprog", path, bearer) for name, path in apis.items()},
                   # what a search asked for the first time costs (every request rendered)
                   f"pagina{UNCACHED}": ("uncached", pages["pagina, con parola"], session),
                   f"API v1{UNCACHED}": ("uncached", apis["API v1, con parola"], bearer)}
        sys.stdout.flush()
        medians = run.measure(env, targets, "/", args.rounds, args.seconds, args.connections, timeout=120)
    run.report(medians)
    hello = medians["hello (Flask nudo)"]
    ok = True
    for name, r in medians.items():
        if name == "hello (Flask nudo)" or name.endswith(UNCACHED):
            continue
        met = r.rps >= 0.30 * hello.rps and r.p95_ms <= 3 * hello.p95_ms and not r.errors
        ok = ok and met
        print(f"{name} / Flask nudo: req/s {r.rps / hello.rps:.0%}, p95 x{r.p95_ms / hello.p95_ms:.1f}"
              f"{'' if met else '  (obiettivo mancato)'}")
    print("obiettivo di ogni ricerca: req/s >= 30 %, p95 <= 3 x, nessun errore")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
