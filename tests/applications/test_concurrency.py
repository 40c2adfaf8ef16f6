"""50 submissions fired in parallel at a running server while the deadline passes.

A real server (gunicorn, 4 sync workers with 2 threads each, as in production) runs on its own
fresh database (SQLite by default, PostgreSQL when COPROG_TEST_DATABASE_URL is set). The test
process fills that database directly: a published notice, 50 ETS users, each with an
organisation and a complete draft. The 50 users sign in and open their application page first
(argon2 logins are slow: they are not part of the race). Then the notice's deadline is set a
moment ahead and the 50 submissions are fired from 50 threads, each with its own cookies,
starting 0.5 s before the deadline and spread over 1.5 s, so that they straddle it.

Then, reading the database: none lost (every application is submitted with a protocol number
or still a draft, and every answer was the receipt or the form again with the "scaduto"
message), none accepted after the deadline, protocol numbers exactly 1..N, one receipt e-mail
per submission. If the machine is too slow for any submission to make it in time, the race is
run once more, on the drafts left, with a deadline further ahead.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from coprog import create_app
from coprog.applications.models import Application, ApplicationState
from coprog.core.roles import Role
from coprog.extensions import db
from coprog.notices.models import Notice
from coprog.notify.models import OutboxMessage

from ..browser.conftest import _free_port, _wait_until_up
from ..conftest import csrf_token_from
from ..dbutil import fresh_database
from ..factories import (
    COMPLETE_APPLICATION,
    make_application,
    make_notice,
    make_organisation,
    make_user,
)

pytestmark = pytest.mark.concurrency

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
APPLICANTS = 50
PASSWORD = "Password-di-prova-2025"
LEAD = 0.5  # the first submission leaves this long before the deadline...
SPREAD = 1.5  # ...and the last one this long after the first
RETRY_LEAD = 1.5  # the second race, if the first had no submission in time
SECRET_KEY = "concurrency-test-secret-key"


def _server_env(database_url: str, instance: Path) -> dict:
    return {
        **os.environ,
        "COPROG_DATABASE_URL": database_url,
        "COPROG_INSTANCE_PATH": str(instance),
        "COPROG_SECRET_KEY": SECRET_KEY,  # the same in every worker
        "COPROG_COOKIE_SECURE": "0",
        "COPROG_PAGE_CACHE": "0",
        "COPROG_DEMO": "0",
        # every request comes from 127.0.0.1: no login throttling in this test
        "COPROG_LOGIN_MAX_FAILURES": "1000",
        "COPROG_LOGIN_MAX_FAILURES_PER_ADDRESS": "100000",
        "FLASK_DEBUG": "0",
    }


# Data, written by the test process straight into the server's database -----------------------


@dataclass
class Applicant:
    email: str
    application_id: int
    axis_ids: list[int]
    opener: urllib.request.OpenerDirector = None
    token: str = ""
    result: dict = field(default_factory=dict)


def _prepare(app) -> tuple[int, list[Applicant]]:
    with app.test_request_context():
        staff = make_user(Role.STAFF)
        notice = make_notice(published=True, by=staff)  # deadline in 20 days: moved later
        password_hash = make_user(Role.ETS, password=PASSWORD).password_hash  # argon2 once
        applicants = []
        for n in range(APPLICANTS):
            user = make_user(Role.ETS, email=f"ets{n:02d}@concorrenza.esempio.it", password_hash=password_hash)
            organisation = make_organisation(user, name=f"Associazione concorrente {n:02d}")
            application = make_application(notice, organisation, by=user, email=user.email, pec="")
            applicants.append(Applicant(user.email, application.id, [a.id for a in notice.axes]))
        db.session.commit()
        return notice.id, applicants


def _set_deadline(app, notice_id: int, deadline: datetime) -> None:
    with app.app_context():
        db.session.execute(update(Notice).where(Notice.id == notice_id).values(deadline_at=deadline.replace(tzinfo=None)))
        db.session.commit()


# HTTP, one cookie jar per applicant -----------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _opener() -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())


def _request(opener, url: str, data: dict | list | None = None) -> tuple[int, str, str]:
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    try:
        with opener.open(url, body, timeout=60) as response:
            return response.status, response.headers.get("Location", ""), response.read().decode()
    except urllib.error.HTTPError as error:  # 3xx (redirects not followed), 4xx, 5xx
        return error.code, error.headers.get("Location", ""), error.read().decode(errors="replace")


def _sign_in_and_open(base: str, applicant: Applicant) -> None:
    applicant.opener = _opener()
    _status, _location, page = _request(applicant.opener, base + "/accedi")
    status, location, _body = _request(
        applicant.opener, base + "/accedi",
        {"email": applicant.email, "password": PASSWORD, "csrf_token": csrf_token_from(page)},
    )
    assert status == 302, f"login of {applicant.email}: {status}"
    status, _location, page = _request(applicant.opener, f"{base}/domande/{applicant.application_id}")
    assert status == 200, f"application page of {applicant.email}: {status}"
    applicant.token = csrf_token_from(page)


def _form(applicant: Applicant) -> list[tuple[str, str]]:
    fields = {k: ("y" if v is True else v) for k, v in COMPLETE_APPLICATION.items()}
    fields.update(csrf_token=applicant.token, email=applicant.email, pec="",
                  declared_registered_on="2020-01-15", azione="invia",
                  # typed in the same click: the request saves the draft, then submits it
                  experience=f"Attività dell'ente {applicant.email}")
    return [*fields.items(), *(("axes", str(axis)) for axis in applicant.axis_ids)]


def _fire(base: str, applicant: Applicant, at: float) -> None:
    form = _form(applicant)
    time.sleep(max(0.0, at - time.time()))
    sent = time.time()
    status, location, _body = _request(applicant.opener, f"{base}/domande/{applicant.application_id}", form)
    applicant.result = {"sent": sent, "answered": time.time(), "status": status, "location": location}


def _race(base: str, applicants: list[Applicant], deadline: datetime, lead: float) -> None:
    """Fire every applicant's submission, the first `lead` s before the deadline, over SPREAD s."""
    start = deadline.timestamp() - lead
    step = SPREAD / max(1, len(applicants) - 1)
    threads = [
        threading.Thread(target=_fire, args=(base, applicant, start + i * step))
        for i, applicant in enumerate(applicants)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


def _outcome(base: str, applicant: Applicant) -> str:
    """'accepted' or 'refused', from the answer; anything else fails the test."""
    result = applicant.result
    assert result, f"{applicant.email}: no answer"
    assert result["status"] == 302, f"{applicant.email}: HTTP {result['status']}"
    if result["location"].endswith(f"/domande/{applicant.application_id}/ricevuta"):
        return "accepted"
    assert result["location"].endswith(f"/domande/{applicant.application_id}"), result["location"]
    _status, _location, page = _request(applicant.opener, base + result["location"])
    assert "scaduto" in page, f"{applicant.email}: sent back to the form without the deadline message"
    return "refused"


# The server -----------------------------------------------------------------------------------


@pytest.fixture
def server(tmp_path):
    database_url = fresh_database("concurrency", tmp_path)
    env = _server_env(database_url, tmp_path / "instance")
    migrated = subprocess.run([str(BIN / "coprog"), "db", "upgrade"], env=env, cwd=ROOT,
                              capture_output=True, text=True, check=False)
    assert migrated.returncode == 0, migrated.stderr
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(tmp_path / "instance"),
                      "SECRET_KEY": SECRET_KEY, "SERVER_NAME": "127.0.0.1"})
    port = _free_port()
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "4", "--threads", "2",
             "--timeout", "60", "--access-logfile", "-", "coprog:create_app()"],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base + "/", process)
            yield app, base, log_path
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
            with app.app_context():
                db.engine.dispose()


def test_fifty_submissions_straddling_the_deadline(server):
    app, base, log_path = server
    began = time.monotonic()
    notice_id, applicants = _prepare(app)
    threads = [threading.Thread(target=_sign_in_and_open, args=(base, a)) for a in applicants]
    for chunk in range(0, len(threads), 8):  # as many at once as the server has threads
        for thread in threads[chunk:chunk + 8]:
            thread.start()
        for thread in threads[chunk:chunk + 8]:
            thread.join()
    assert all(a.token for a in applicants), "some applicants could not sign in"
    prepared = time.monotonic()

    outcomes: dict[str, str] = {}
    deadlines = []
    for lead in (LEAD, RETRY_LEAD):
        pending = [a for a in applicants if outcomes.get(a.email) != "accepted"]
        deadline = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
        _set_deadline(app, notice_id, deadline)
        deadlines.append(deadline)
        _race(base, pending, deadline, lead)
        outcomes.update({a.email: _outcome(base, a) for a in pending})
        if "accepted" in outcomes.values():
            break
    accepted = sorted(a.result["sent"] - deadlines[-1].timestamp() for a in applicants if outcomes[a.email] == "accepted")
    refused = sorted(a.result["sent"] - deadlines[-1].timestamp() for a in applicants if outcomes[a.email] == "refused")
    server_log = log_path.read_text()

    with app.app_context():
        notice = db.session.get(Notice, notice_id)
        deadline = notice.deadline_at  # naive UTC, as stored
        rows = db.session.scalars(select(Application).where(Application.notice_id == notice_id)).all()
        receipts = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "application_receipt")).all()
        submitted = [r for r in rows if r.state == ApplicationState.SUBMITTED]
        drafts = [r for r in rows if r.state == ApplicationState.DRAFT]
        # none lost: every application is submitted with a number, or still a draft without one
        assert len(rows) == APPLICANTS and len(submitted) + len(drafts) == APPLICANTS
        assert all(r.protocol_number is not None and r.submitted_at is not None for r in submitted)
        assert all(r.protocol_number is None and r.submitted_at is None for r in drafts)
        by_id = {a.application_id: outcomes[a.email] for a in applicants}
        assert {r.id for r in submitted} == {i for i, o in by_id.items() if o == "accepted"}
        # none accepted after the deadline
        assert all(r.submitted_at < deadline for r in submitted), [r.submitted_at for r in submitted]
        # protocol numbers 1..N: unique, no gaps
        assert sorted(r.protocol_number for r in submitted) == list(range(1, len(submitted) + 1))
        # one receipt per submission, to the applicant, with its protocol number
        assert len(receipts) == len(submitted)
        expected = {(r.email, f"prot. n. {r.protocol_number}") for r in submitted}
        assert {(m.to_address, re.search(r"prot\. n\. \d+", m.subject).group()) for m in receipts} == expected
        # the drafts kept what was typed in the click that was refused
        assert all(r.experience.startswith("Attività dell'ente") for r in rows)
        submitted_times = sorted(r.submitted_at for r in submitted)

    assert accepted and refused, f"accepted {len(accepted)}, refused {len(refused)}"
    assert not re.search(r'HTTP/1\.[01]" 5\d\d ', server_log) and "Traceback" not in server_log, server_log[-3000:]
    total = time.monotonic() - began
    report = (
        f"\n[concurrency] {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}: "
        f"{len(accepted)} accepted, {len(refused)} refused in {len(deadlines)} race(s); "
        f"accepted sent from {accepted[0]:+.2f} s to {accepted[-1]:+.2f} s of the deadline, "
        f"refused from {refused[0]:+.2f} s to {refused[-1]:+.2f} s; last accepted stored "
        f"{(submitted_times[-1] - deadline).total_seconds():+.3f} s from the deadline; "
        f"preparation {prepared - began:.1f} s, total {total:.1f} s"
    )
    print(report)
    assert total < 90, report
