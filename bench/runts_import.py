"""RUNTS import: `coprog runts import` of 152,600 generated rows against `sqlite3 .import`.

Generates the list (deterministic; valid-checksum entity codes; realistic values) as CSV and
as .xlsx in a temporary folder, then, each on a fresh SQLite file and `--runs` times:

- baseline: `sqlite3 FILE ".mode csv" ".import data.csv t"` (the sqlite3 command-line shell;
  when it is missing, Python's sqlite3 module does the same: CREATE TABLE from the header,
  then one INSERT per row in one transaction; the output says which ran);
- the floor of any import written in Python: the rows as the csv module splits them,
  inserted as they are into the mirror's table by one executemany (no validation);
- `coprog runts import data.csv` into a database migrated beforehand (not timed): the whole
  command, start-up of Python, Flask and the app included;
- the same import a second time (every row unchanged);
- the import alone: a fresh interpreter per run (this script with --in-process) creates the
  app, then times `import_runts` and the commit, nothing else, first on an empty mirror and
  then a second time (every row unchanged);
- `coprog runts import data.xlsx` (reported apart: openpyxl's XML parsing dominates it).

It prints the medians, the ratios to sqlite3 of the whole command and of the import alone
(goal: at most 2), the start-up time of the `coprog` command (part of every whole-command
figure) and the peak RSS of each child (from os.wait4; for the import alone it includes the
start-up's own memory).

    make bench-runts
    python bench/runts_import.py --rows 20000 --runs 1
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from stdnum import luhn

from coprog.registry.parsing import MINISTRY_HEADER

ROOT = Path(__file__).resolve().parent.parent
COPROG = Path(sys.executable).parent / "coprog"
ROWS = 152_600
SNAPSHOT = "2026-01-15"
HEADER = list(MINISTRY_HEADER)
SECTIONS = (
    ("Organizzazioni di volontariato", 30),
    ("Associazioni di promozione sociale", 36),
    ("Enti filantropici", 1),
    ("Imprese sociali", 12),
    ("Reti associative", 1),
    ("Società di mutuo soccorso", 1),
    ("Altri enti del Terzo settore", 19),
)
FORMS = ("Associazione", "Circolo", "Fondazione", "Cooperativa sociale", "Comitato", "Gruppo")
THEMES = ("Il Girasole", "Amici del Borgo", "Sport e Salute", "L'Arcobaleno", "Volontari Uniti",
          "Casa Aperta", "Teatro Insieme", "Orti Solidali", "La Rete", "Mani Tese, Cuori Aperti")
FIRST = ("Maria", "Giuseppe", "Anna", "Luca", "Giulia", "Marco", "Francesca", "Paolo", "Elena")
LAST = ("Rossi", "Bianchi", "Ferrari", "Esposito", "Romano", "Colombo", "Ricci", "Marino")
NETWORKS = ("", "", "", "", "", "ARCI", "ACLI", "AUSER", "ANPAS", "UISP", "CSI")
PLACES = (("Bologna", "BO"), ("Casalecchio di Reno", "BO"), ("Imola", "BO"), ("Modena", "MO"),
          ("Milano", "MI"), ("Roma", "RM"), ("Napoli", "NA"), ("Torino", "TO"),
          ("Palermo", "PA"), ("Firenze", "FI"), ("Bari", "BA"), ("Sant'Agata Bolognese", "BO"))


def entity_code(rng: random.Random, serial: int) -> str:
    """An 11-digit entity codice fiscale: 8/9, a serial, an office code, the Luhn digit."""
    body = f"{rng.choice('89')}{serial:06d}{rng.randint(1, 100):03d}"
    return body + luhn.calc_check_digit(body)


def generate_rows(count: int, seed: int = 2026):
    rng = random.Random(seed)
    sections = [name for name, weight in SECTIONS for _ in range(weight)]
    start = date(2022, 1, 1)
    for n in range(count):
        place = rng.choice(PLACES)
        yield [
            entity_code(rng, n),
            str(100_000 + n),
            f"{rng.choice(FORMS)} {rng.choice(THEMES)} {n} ETS",
            rng.choice(sections),
            f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            rng.choice(NETWORKS),
            place[0],
            place[1],
            rng.choice(("SI", "NO")),
            (start + timedelta(days=rng.randrange(1460))).strftime("%d/%m/%Y"),
        ]


def write_csv(path: Path, count: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADER)
        writer.writerows(generate_rows(count))


def write_xlsx(path: Path, count: int) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Enti iscritti")
    sheet.append(HEADER)
    for row in generate_rows(count):
        row[-1] = date(int(row[-1][6:]), int(row[-1][3:5]), int(row[-1][:2]))  # a real date cell
        sheet.append(row)
    workbook.save(path)


# Runs ---------------------------------------------------------------------------------------------


def run_child(args: list[str], env: dict | None = None) -> tuple[float, int, str]:
    """Wall time (s), peak RSS (KiB) and output of a child process."""
    started = time.perf_counter()
    child = subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise RuntimeError(f"{args[0]} failed ({child.returncode}):\n{output}")
    return elapsed, usage.ru_maxrss, output


def fresh(path: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def python_import(database: Path, data: Path) -> float:
    """What `.import` does, through Python's sqlite3 module."""
    started = time.perf_counter()
    connection = sqlite3.connect(database)
    with data.open(newline="", encoding="utf-8") as stream:
        reader = csv.reader(stream)
        header = next(reader)
        columns = ", ".join(f'"{name}" TEXT' for name in header)
        connection.execute(f"CREATE TABLE t ({columns})")
        marks = ", ".join("?" * len(header))
        connection.executemany(f"INSERT INTO t VALUES ({marks})", reader)
    connection.commit()
    connection.close()
    return time.perf_counter() - started


def python_floor(database: Path, data: Path) -> float:
    """The least any import written in Python can do: the file's rows, split by the csv
    module, inserted as they are into the mirror's own table (its columns and indexes) by
    one executemany in one transaction; no validation, no conversion, no change detection.
    Its ratio to `.import` is the floor of the ratio of `coprog runts import`."""
    constants = "'listed', '2026-01-15', '2026-01-15', 1, '', '2026-01-15 00:00:00'"
    columns = ("codice_fiscale, repertorio, denominazione, sezione, legale_rappresentante,"
               " rete_associativa, comune, provincia, cinque_per_mille, registered_on, status,"
               " first_seen_snapshot, last_seen_snapshot, last_import_id, row_hash, updated_at")
    started = time.perf_counter()
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("BEGIN")
    with data.open(newline="", encoding="utf-8") as stream:
        reader = csv.reader(stream)
        next(reader)
        connection.executemany(
            f"INSERT INTO runts_entities ({columns}) VALUES ({'?, ' * len(HEADER)}{constants})",
            reader,
        )
    connection.execute("COMMIT")
    connection.close()
    return time.perf_counter() - started


def baseline(work: Path, data: Path) -> tuple[str, float]:
    database = fresh(work / "baseline.db")
    shell = shutil.which("sqlite3")
    if shell:
        elapsed, _rss, _out = run_child([shell, str(database), ".mode csv", f".import {data} t"])
        return "sqlite3 (shell) .import", elapsed
    return "sqlite3 (modulo Python, equivalente di .import)", python_import(database, data)


def coprog_env(work: Path, database: Path) -> dict:
    return {
        **os.environ,
        "COPROG_DATABASE_URL": f"sqlite:///{database}",
        "COPROG_INSTANCE_PATH": str(work / "instance"),
        "COPROG_SECRET_KEY": "bench",
    }


def migrated(work: Path, name: str) -> tuple[Path, dict]:
    database = fresh(work / name)
    env = coprog_env(work, database)
    run_child([str(COPROG), "db", "upgrade"], env)
    return database, env


def coprog_import(env: dict, data: Path) -> tuple[float, int, str]:
    return run_child([str(COPROG), "runts", "import", str(data), "--snapshot-date", SNAPSHOT], env)


def in_process(data: Path) -> None:
    """The child of `inprocess_import`: time the import alone, print the seconds and counts."""
    from coprog import create_app
    from coprog.extensions import db
    from coprog.registry.importer import import_runts

    app = create_app()
    with app.app_context():
        started = time.perf_counter()
        report = import_runts(data, snapshot_date=date.fromisoformat(SNAPSHOT))
        db.session.commit()
        elapsed = time.perf_counter() - started
    print(f"{elapsed:.6f}")
    print("\n".join(f"{label}: {value}" for label, value in zip(
        ("Righe lette", "Inserite", "Aggiornate", "Invariate", "Non più iscritte", "Scartate"),
        report.counts().values(), strict=True,
    )))


def inprocess_import(env: dict, data: Path) -> tuple[float, int, str]:
    """The import alone, timed inside a fresh interpreter; its peak RSS; its counts."""
    _wall, rss, output = run_child(
        [sys.executable, str(Path(__file__).resolve()), "--in-process", str(data)], env
    )
    elapsed, _newline, counts_output = output.partition("\n")
    return float(elapsed), rss, counts_output


def measure(work: Path, data: Path, runs: int) -> dict:
    results = {
        name: []
        for name in ("baseline", "floor", "first", "second", "rss_first", "rss_second",
                     "alone_first", "alone_second", "rss_alone_first", "rss_alone_second")
    }
    for _ in range(runs):
        label, elapsed = baseline(work, data)
        results["label"] = label
        results["baseline"].append(elapsed)
        database, _env = migrated(work, "floor.db")
        results["floor"].append(python_floor(database, data))
        _database, env = migrated(work, "coprog.db")
        elapsed, rss, output = coprog_import(env, data)
        results["first"].append(elapsed)
        results["rss_first"].append(rss)
        results["output_first"] = output
        elapsed, rss, output = coprog_import(env, data)
        results["second"].append(elapsed)
        results["rss_second"].append(rss)
        results["output_second"] = output
        _database, env = migrated(work, "coprog-alone.db")
        for key in ("alone_first", "alone_second"):
            elapsed, rss, output = inprocess_import(env, data)
            results[key].append(elapsed)
            results[f"rss_{key}"].append(rss)
            results[f"output_{key}"] = output
    return results


def measure_xlsx(work: Path, data: Path, runs: int) -> tuple[list[float], list[int], str]:
    times, peaks, output = [], [], ""
    for _ in range(runs):
        _database, env = migrated(work, "coprog-xlsx.db")
        elapsed, rss, output = coprog_import(env, data)
        times.append(elapsed)
        peaks.append(rss)
    return times, peaks, output


def startup(work: Path) -> float:
    _database, env = migrated(work, "startup.db")
    return statistics.median(run_child([str(COPROG), "runts", "--help"], env)[0] for _ in range(3))


def counts(output: str) -> str:
    keys = ("Righe lette", "Inserite", "Aggiornate", "Invariate", "Non più", "Scartate")
    return "; ".join(line.strip() for line in output.splitlines() if line.startswith(keys))


def report_line(results: dict, key: str) -> str:
    runs = ", ".join(f"{t:.2f}" for t in results[key])
    return (f"  mediana {statistics.median(results[key]):.2f} s  (corse: {runs})"
            f"  RSS massimo {max(results[f'rss_{key}']) / 1024:.0f} MiB\n"
            f"  {counts(results[f'output_{key}'])}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-xlsx", action="store_true", help="skip the .xlsx import")
    parser.add_argument("--in-process", type=Path, metavar="CSV", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_process:
        in_process(args.in_process)
        return 0

    with tempfile.TemporaryDirectory(prefix="coprog-bench-runts-") as folder:
        work = Path(folder)
        data = work / "data.csv"
        started = time.perf_counter()
        write_csv(data, args.rows)
        print(f"CSV: {args.rows} righe, {data.stat().st_size / 1e6:.1f} MB"
              f" (generato in {time.perf_counter() - started:.1f} s)")
        results = measure(work, data, args.runs)
        base = statistics.median(results["baseline"])
        print(f"baseline: {results['label']}")
        print(f"  mediana {base:.2f} s  (corse: {', '.join(f'{t:.2f}' for t in results['baseline'])})")
        floor = statistics.median(results["floor"])
        print("minimo di un'importazione in Python (righe inserite tali e quali nella tabella"
              " del mirror, senza controlli)")
        print(f"  mediana {floor:.2f} s  (corse: {', '.join(f'{t:.2f}' for t in results['floor'])})"
              f"  rapporto a sqlite3 .import: {floor / base:.2f}")
        print("coprog runts import data.csv, comando intero (database vuoto)")
        print(report_line(results, "first"))
        print("coprog runts import data.csv, comando intero (seconda volta, tutto invariato)")
        print(report_line(results, "second"))
        print("solo l'importazione (import_runts + commit, cronometrati nel processo; database vuoto)")
        print(report_line(results, "alone_first"))
        print("solo l'importazione (seconda volta, tutto invariato)")
        print(report_line(results, "alone_second"))
        print(f"avvio del comando coprog (runts --help): {startup(work):.2f} s,"
              " incluso nel comando intero")
        ratio = statistics.median(results["first"]) / base
        alone = statistics.median(results["alone_first"]) / base
        print(f"rapporto comando intero / sqlite3 .import: {ratio:.2f} (obiettivo <= 2)")
        print(f"rapporto sola importazione / sqlite3 .import: {alone:.2f} (obiettivo <= 2)")
        if not args.no_xlsx:
            xlsx = work / "data.xlsx"
            started = time.perf_counter()
            write_xlsx(xlsx, args.rows)
            print(f"XLSX: {xlsx.stat().st_size / 1e6:.1f} MB"
                  f" (generato in {time.perf_counter() - started:.1f} s)")
            times, peaks, output = measure_xlsx(work, xlsx, args.runs)
            print(f"coprog runts import data.xlsx: mediana {statistics.median(times):.2f} s"
                  f" (corse: {', '.join(f'{t:.2f}' for t in times)})"
                  f"  RSS massimo {max(peaks) / 1024:.0f} MiB")
            print(f"  {counts(output)}")
    return 0 if ratio <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
