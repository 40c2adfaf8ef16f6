"""Check-in at the door under load: the facilitator's tap on "Segna presente" (the htmx POST that
answers with the row, the counter and the announcement), on a session with 500 registrations.

A fresh SQLite database is migrated, a procedure with one session and 500 registrations is made
with the real use-cases, coprog runs under gunicorn (2 workers, as `make bench`), a facilitator
signs in through the real login form, then every person is checked in: one client in sequence,
then a few clients at once, each person tapped by two of them (two facilitators at the same
door), and the count must stay 500. The search fragment (search as you type) is timed too.
Each figure is the median over the rounds. Target: check-in p95 <= 100 ms.

    make bench-checkin
    python bench/checkin.py --rounds 3 --clients 4
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import BIN, ROOT, free_port, gunicorn, wait_for  # noqa: E402  (the same server as `make bench`)

PEOPLE = 500
PASSWORD = "Bench-checkin-2025"
FACILITATOR = "facilitatore@bench.coprog.it"
TARGET_P95_MS = 100
FIRST_NAMES = ("Anna", "Nicolò", "Marco", "Giulia", "Luca", "Chiara", "Paolo", "Sara", "Davide", "Elena")
SURNAMES = ("Rossi", "Bianchi", "Esposito", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca")
CATEGORIES = ("ausl", "servizi_sociali", "ets", "ets", "ets")


@dataclass
class Timing:
    p50_ms: float
    p95_ms: float
    max_ms: float
    requests: int
    errors: int


def timing(latencies: list[float], errors: int) -> Timing:
    ordered = sorted(latencies)
    pick = lambda q: ordered[min(int(q * len(ordered)), len(ordered) - 1)] * 1000  # noqa: E731
    return Timing(pick(0.50), pick(0.95), ordered[-1] * 1000, len(ordered), errors)


def median_timing(timings: list[Timing]) -> Timing:
    return Timing(
        statistics.median(t.p50_ms for t in timings), statistics.median(t.p95_ms for t in timings),
        statistics.median(t.max_ms for t in timings), sum(t.requests for t in timings),
        sum(t.errors for t in timings),
    )


# The data, made in-process with the real use-cases ----------------------------------------------


def prepare(folder: Path) -> tuple[dict, int, list[int], list[str]]:
    """Migrate a fresh database and fill it; returns (env, session id, registration ids, names)."""
    env = dict(os.environ)
    env.update(
        COPROG_INSTANCE_PATH=str(folder), COPROG_DATABASE_URL=f"sqlite:///{folder / 'bench.db'}",
        COPROG_SECRET_KEY="bench-only-secret", COPROG_COOKIE_SECURE="0",
    )
    subprocess.run([str(BIN / "coprog"), "db", "upgrade"], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.environ.update(env)  # create_app reads the same settings as the server
    from coprog import create_app
    from coprog.extensions import db

    app = create_app()
    with app.app_context():
        session_id, ids, names = _fill(db)
        db.session.commit()
    return env, session_id, ids, names


def _fill(db) -> tuple[int, list[int], list[str]]:
    from sqlalchemy import select

    from coprog.auth.models import User
    from coprog.core.roles import Role
    from coprog.core.time import utcnow
    from coprog.notices.services import create_notice
    from coprog.tables.services import planning
    from coprog.tables.services.registrations import register
    from coprog.territory.models import Authority
    from coprog.territory.services import BOLOGNA_PRESET, load_preset

    load_preset(BOLOGNA_PRESET)
    authority = db.session.scalar(select(Authority).order_by(Authority.id))
    staff = _user(db, User, "rup@bench.coprog.it", "RUP del bench", Role.STAFF)
    facilitator = _user(db, User, FACILITATOR, "Facilitatore del bench", Role.FACILITATOR)
    notice = create_notice(authority, "bench-tavoli", _notice_data(authority, utcnow()), [], by=staff)
    axis = authority.axes[0]
    groups = [
        planning.save_group(notice.procedure, None, {"axis_id": axis.id, "name": d.name, "district_ids": [d.id]},
                            by=staff)
        for d in authority.districts[:2]
    ]
    starts = utcnow() + timedelta(hours=1)  # the door is open, registrations too
    session = planning.save_session(notice.procedure, None, {
        "axis_id": axis.id, "group_ids": [g.id for g in groups], "starts_at": starts,
        "ends_at": starts + timedelta(hours=3), "place": "Sala del bench", "capacity": PEOPLE,
        "facilitator_ids": [facilitator.id],
    }, by=staff)
    categories = {c.code: c for c in planning.categories_of(notice.procedure)}
    ids, names = [], []
    for n in range(PEOPLE):
        name = f"{FIRST_NAMES[n % 10]} {SURNAMES[(n // 10) % 10]} {n:03d}"
        registration = register(
            session, groups[n % 2], categories[CATEGORIES[n % len(CATEGORIES)]], full_name=name,
            email=f"persona{n}@bench.coprog.it", affiliation=f"Ente del bench {n % 37}", by=staff,
        )
        ids.append(registration.id)
        names.append(name)
    return session.id, ids, names


def _user(db, User, email, name, role):
    from coprog.core.time import naive_utc, utcnow

    user = User(email=email, full_name=name, role=role, email_verified_at=naive_utc(utcnow()))
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.flush()
    return user


def _notice_data(authority, now) -> dict:
    text = "Testo del bench."
    return {
        "title": "Avviso del bench", "summary": text, "legal_basis": "Art. 55 D.Lgs. 117/2017.", "objectives": text,
        "requirements": text, "how_to_apply": text, "rup_name": "RUP del bench", "rup_role": "Dirigente",
        "contact_email": "bench@esempio.it", "contact_pec": "", "contact_phone": "",
        "deadline_at": now + timedelta(days=20), "axis_ids": [a.id for a in authority.axes],
        "district_ids": [d.id for d in authority.districts],
    }


def reset_attendance(database: Path, session_id: int) -> None:
    """Between rounds: nobody present (outside the app: only the timed requests go through it)."""
    with sqlite3.connect(database, timeout=30) as connection:
        connection.execute("DELETE FROM table_attendances WHERE session_id = ?", (session_id,))


def present(database: Path, session_id: int) -> int:
    with sqlite3.connect(database, timeout=30) as connection:
        query = "SELECT count(*) FROM table_attendances WHERE session_id = ?"
        return connection.execute(query, (session_id,)).fetchone()[0]


# A facilitator's browser ------------------------------------------------------------------------


class Browser:
    """One signed-in client: its cookies and CSRF token, over one HTTP connection."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, text

    def sign_in(self) -> None:
        """Through the real login form, as a user would."""
        _, page = self.request("GET", "/accedi")
        status, _ = self.request("POST", "/accedi", {
            "email": FACILITATOR, "password": PASSWORD, "csrf_token": csrf_of(page),
        })
        assert status == 302, f"sign-in failed: {status}"

    def open_door(self, session_id: int) -> None:
        status, page = self.request("GET", f"/tavoli/incontri/{session_id}/ingresso")
        assert status == 200, f"door page: {status}"
        self.csrf = csrf_of(page)

    def timed(self, method: str, path: str, body=None, headers=None) -> tuple[float, bool]:
        start = time.perf_counter()
        status, text = self.request(method, path, body, headers)
        return time.perf_counter() - start, status == 200 and "door-" in text


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


HTMX = {"HX-Request": "true"}


def check_in_all(browser: Browser, session_id: int, ids: list[int]) -> tuple[list[float], int]:
    latencies, errors = [], 0
    for registration_id in ids:
        elapsed, ok = browser.timed(
            "POST", f"/tavoli/incontri/{session_id}/ingresso/{registration_id}/presente",
            {"csrf_token": browser.csrf, "q": ""}, HTMX,
        )
        latencies.append(elapsed)
        errors += not ok
    return latencies, errors


def sequential_round(port: int, session_id: int, ids: list[int]) -> Timing:
    browser = Browser(port)
    browser.sign_in()
    browser.open_door(session_id)
    order = ids[:]
    random.shuffle(order)
    return timing(*check_in_all(browser, session_id, order))


def concurrent_round(port: int, session_id: int, ids: list[int], clients: int) -> Timing:
    """`clients` facilitators at once; each share of the people is tapped by two of them."""
    browsers = [Browser(port) for _ in range(clients)]
    for browser in browsers:
        browser.sign_in()
        browser.open_door(session_id)
    shares = [ids[i::clients] for i in range(clients)]
    work = [shares[i] + shares[(i + 1) % clients] for i in range(clients)]  # every share twice
    results: list[tuple[list[float], int]] = [([], 0)] * clients

    def run(index: int) -> None:
        results[index] = check_in_all(browsers[index], session_id, work[index])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timing([t for r in results for t in r[0]], sum(r[1] for r in results))


def search_round(port: int, session_id: int, names: list[str], searches: int) -> Timing:
    """Search as you type: the fragment for the first letters of names, and the whole list."""
    browser = Browser(port)
    browser.sign_in()
    latencies, errors = [], 0
    for n in range(searches):
        name = random.choice(names)
        query = "" if n % 10 == 0 else name[: random.randint(2, 8)]
        elapsed, ok = browser.timed("GET", f"/tavoli/incontri/{session_id}/ingresso?{urlencode({'q': query})}",
                                    headers=HTMX)
        latencies.append(elapsed)
        errors += not ok
    return timing(latencies, errors)


# Main -------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--searches", type=int, default=300)
    args = parser.parse_args()
    random.seed(2025)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        began = time.perf_counter()
        env, session_id, ids, names = prepare(folder)
        print(f"{PEOPLE} iscrizioni create con i casi d'uso in {time.perf_counter() - began:.1f} s; "
              f"gunicorn 2 worker, SQLite; {args.rounds} giri, {args.clients} client in parallelo")
        port = free_port()
        server = gunicorn("coprog:create_app()", port, env, ROOT)
        results: dict[str, list[Timing]] = {"check-in, un client": [], "check-in, in parallelo": [], "ricerca": []}
        counts_ok = True
        try:
            wait_for(port, "/accedi")
            for _ in range(args.rounds):
                reset_attendance(folder / "bench.db", session_id)
                results["check-in, un client"].append(sequential_round(port, session_id, ids))
                counts_ok &= present(folder / "bench.db", session_id) == PEOPLE
                reset_attendance(folder / "bench.db", session_id)
                results["check-in, in parallelo"].append(concurrent_round(port, session_id, ids, args.clients))
                counts_ok &= present(folder / "bench.db", session_id) == PEOPLE  # each tapped twice, counted once
                results["ricerca"].append(search_round(port, session_id, names, args.searches))
        finally:
            server.terminate()
            server.wait(timeout=10)
    return report({name: median_timing(timings) for name, timings in results.items()}, counts_ok)


def report(medians: dict[str, Timing], counts_ok: bool) -> int:
    print(f"{'azione':<26}{'richieste':>10}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'errori':>8}")
    for name, t in medians.items():
        print(f"{name:<26}{t.requests:>10}{t.p50_ms:>9.1f}{t.p95_ms:>9.1f}{t.max_ms:>9.1f}{t.errors:>8}")
    print(f"presenti dopo ogni giro: {PEOPLE} {'(ok: nessuno contato due volte)' if counts_ok else '(ERRORE)'}")
    worst = max(medians["check-in, un client"].p95_ms, medians["check-in, in parallelo"].p95_ms)
    verdict = "raggiunto" if worst <= TARGET_P95_MS else "NON raggiunto"
    print(f"obiettivo check-in p95 <= {TARGET_P95_MS} ms: {verdict} ({worst:.1f} ms)")
    failed = not counts_ok or any(t.errors for t in medians.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
