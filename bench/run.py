"""Load test: coprog under gunicorn (2 workers) against a bare Flask app, in the same run.

Starts both on loopback, loads each page with wrk (or a Python client when wrk is missing) at
16 connections, several rounds interleaved so that machine noise hits both alike, and prints
the medians: req/s, p50/p95, and coprog's req/s as a share of the bare app's.

    make bench            # defaults: 5 rounds of 5 s per target
    python bench/run.py --rounds 3 --seconds 3
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGETS = {
    "hello (Flask nudo)": ("baseline", "/"),
    "home": ("coprog", "/"),
    "avviso": ("coprog", "/avvisi/bds-bologna-2025"),
    # the same page rendered at every request (COPROG_PAGE_CACHE=0): the cost of a cache miss
    "avviso, senza cache": ("uncached", "/avvisi/bds-bologna-2025"),
}


@dataclass
class Result:
    rps: float
    p50_ms: float
    p95_ms: float
    errors: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, path: str = "/", timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not answer")


def gunicorn(app_spec: str, port: int, env: dict, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", app_spec],
        env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def prepare_coprog(folder: Path, *, demo: bool = True) -> dict:
    """A database in `folder` with the schema and (unless demo=False) the demo data; the
    environment that points coprog at it."""
    env = dict(os.environ)
    env.update(
        COPROG_INSTANCE_PATH=str(folder), COPROG_DATABASE_URL=f"sqlite:///{folder / 'bench.db'}",
        COPROG_DEMO="1", COPROG_SECRET_KEY="bench-only-secret",
    )
    for args in [["db", "upgrade"], ["demo"]] if demo else [["db", "upgrade"]]:
        subprocess.run([str(BIN / "coprog"), *args], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return env


def load_wrk(port: int, path: str, seconds: int, connections: int, headers: dict | None = None) -> Result:
    sent = [arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")]
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(ROOT / "bench/stats.lua"), *sent,
         f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True,
    ).stdout
    line = next(row for row in out.splitlines() if row.startswith("RESULT"))
    values = dict(item.split("=") for item in line.split()[1:])
    return Result(float(values["rps"]), int(values["p50"]) / 1000, int(values["p95"]) / 1000,
                  int(values["errors"]))


def load_python(port: int, path: str, seconds: int, connections: int, headers: dict | None = None) -> Result:
    latencies: list[float] = []
    errors = [0]
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine = []
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers or {})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[0] += 1
            except OSError:
                errors[0] += 1
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    pick = lambda q: latencies[min(int(q * len(latencies)), len(latencies) - 1)] * 1000  # noqa: E731
    return Result(len(latencies) / elapsed, pick(0.50), pick(0.95), errors[0])


def median_result(results: list[Result]) -> Result:
    return Result(
        statistics.median(r.rps for r in results),
        statistics.median(r.p50_ms for r in results),
        statistics.median(r.p95_ms for r in results),
        sum(r.errors for r in results),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    print(client_line(args.connections, args.rounds, args.seconds))
    with tempfile.TemporaryDirectory() as tmp:
        env = prepare_coprog(Path(tmp))
        medians = measure(env, TARGETS, "/avvisi/bds-bologna-2025", args.rounds, args.seconds, args.connections)
    report(medians)
    return 0


def client_line(connections: int, rounds: int, seconds: int) -> str:
    name = "wrk" if shutil.which("wrk") else "Python (wrk not installed)"
    return f"client: {name}; {connections} connections, {rounds} rounds x {seconds} s, gunicorn 2 workers"


def measure(env: dict, targets: dict[str, tuple], ready: str, rounds: int, seconds: int,
            connections: int, timeout: float = 30) -> dict[str, Result]:
    """Serve the bare Flask app ("baseline"), coprog ("coprog") and coprog rendering every page
    ("uncached": COPROG_PAGE_CACHE=0) on `env`'s database; load every target (name: (server,
    path) or (server, path, request headers)) once per round, rounds interleaved so that machine
    noise hits all alike; the medians."""
    load = load_wrk if shutil.which("wrk") else load_python
    ports = {"baseline": free_port(), "coprog": free_port(), "uncached": free_port()}
    servers = [
        gunicorn("hello:app", ports["baseline"], dict(os.environ), ROOT / "bench"),
        gunicorn("coprog:create_app()", ports["coprog"], env, ROOT),
        gunicorn("coprog:create_app()", ports["uncached"], {**env, "COPROG_PAGE_CACHE": "0"}, ROOT),
    ]
    try:
        wait_for(ports["baseline"], timeout=timeout)
        wait_for(ports["coprog"], ready, timeout=timeout)
        wait_for(ports["uncached"], ready, timeout=timeout)
        results: dict[str, list[Result]] = {name: [] for name in targets}
        for _ in range(rounds):
            for name, (server, path, *headers) in targets.items():
                results[name].append(load(ports[server], path, seconds, connections, *headers))
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
    return {name: median_result(rs) for name, rs in results.items()}


def report(medians: dict[str, Result]) -> None:
    baseline = medians["hello (Flask nudo)"].rps
    width = max(22, *(len(name) + 2 for name in medians))
    print(f"{'pagina':<{width}}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'errori':>8}{'vs Flask':>10}")
    for name, r in medians.items():
        print(f"{name:<{width}}{r.rps:>10.0f}{r.p50_ms:>10.1f}{r.p95_ms:>10.1f}{r.errors:>8}{r.rps / baseline:>10.0%}")


if __name__ == "__main__":
    sys.exit(main())
