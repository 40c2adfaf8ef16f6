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


def prepare_coprog(folder: Path) -> dict:
    env = dict(os.environ)
    env.update(
        COPROG_INSTANCE_PATH=str(folder), COPROG_DATABASE_URL=f"sqlite:///{folder / 'bench.db'}",
        COPROG_DEMO="1", COPROG_SECRET_KEY="bench-only-secret",
    )
    for args in (["db", "upgrade"], ["demo"]):
        subprocess.run([str(BIN / "coprog"), *args], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return env


def load_wrk(port: int, path: str, seconds: int, connections: int) -> Result:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(ROOT / "bench/stats.lua"),
         f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True,
    ).stdout
    line = next(row for row in out.splitlines() if row.startswith("RESULT"))
    values = dict(item.split("=") for item in line.split()[1:])
    return Result(float(values["rps"]), int(values["p50"]) / 1000, int(values["p95"]) / 1000,
                  int(values["errors"]))


def load_python(port: int, path: str, seconds: int, connections: int) -> Result:
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
                conn.request("GET", path)
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
    load = load_wrk if shutil.which("wrk") else load_python
    print(f"client: {'wrk' if load is load_wrk else 'Python (wrk not installed)'}; "
          f"{args.connections} connections, {args.rounds} rounds x {args.seconds} s, gunicorn 2 workers")
    with tempfile.TemporaryDirectory() as tmp:
        env = prepare_coprog(Path(tmp))
        ports = {"baseline": free_port(), "coprog": free_port(), "uncached": free_port()}
        servers = [
            gunicorn("hello:app", ports["baseline"], dict(os.environ), ROOT / "bench"),
            gunicorn("coprog:create_app()", ports["coprog"], env, ROOT),
            gunicorn("coprog:create_app()", ports["uncached"], {**env, "COPROG_PAGE_CACHE": "0"}, ROOT),
        ]
        try:
            wait_for(ports["baseline"])
            wait_for(ports["coprog"], "/avvisi/bds-bologna-2025")
            wait_for(ports["uncached"], "/avvisi/bds-bologna-2025")
            results: dict[str, list[Result]] = {name: [] for name in TARGETS}
            for _ in range(args.rounds):
                for name, (server, path) in TARGETS.items():
                    results[name].append(load(ports[server], path, args.seconds, args.connections))
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=10)
    report({name: median_result(rs) for name, rs in results.items()})
    return 0


def report(medians: dict[str, Result]) -> None:
    baseline = medians["hello (Flask nudo)"].rps
    print(f"{'pagina':<22}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'errori':>8}{'vs Flask':>10}")
    for name, r in medians.items():
        print(f"{name:<22}{r.rps:>10.0f}{r.p50_ms:>10.1f}{r.p95_ms:>10.1f}{r.errors:>8}{r.rps / baseline:>10.0%}")


if __name__ == "__main__":
    sys.exit(main())
