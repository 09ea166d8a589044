"""`make bench`: seed M and L into their own databases, serve with gunicorn, time the pages.

    .venv/bin/python bench/run.py [--sizes M L] [--requests 40]

For each size: create ``iop_bench_<size>`` if absent, migrate, ``seed_scale --if-absent``,
count the outcome facts (``outcomes_rebuild --if-empty``), sign the benchmark users in (see
``prepare``), start gunicorn on a free loopback port (workers = cores, persistent
connections, DEBUG off, ``IOP_BENCH=1`` for the ``X-Query-Count`` header), then request
every page at concurrency 1 and 4. Results go
to bench/results.json and bench/RESULTS.md. Every latency is also given as a ratio to a
trivial signed-in page timed in the same run, because the machine is shared and noisy.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DATABASE_HOST = os.environ.get("BENCH_DATABASE_HOST", "postgres://postgres@127.0.0.1:5432")
RESULTS_JSON = ROOT / "bench" / "results.json"
RESULTS_MD = ROOT / "bench" / "RESULTS.md"
CSRF_TOKEN = "benchcsrftokenbenchcsrftoken0000"  # noqa: S105 (32 characters: an unmasked CSRF secret)
BENCH_SECRET_KEY = "bench-" + secrets.token_hex(24)
# Production settings refuse to start without the audit checkpoints' key (system check audit.E001).
BENCH_AUDIT_CHECKPOINT_KEY = "bench-" + secrets.token_hex(24)
# Targets from issue 7 (p95 at concurrency 1, size L); pages without one are measured only.
TARGET_MS = {
    "registry search": 100,
    "registry deep page": 100,
    "patient chart": 100,
    "heavy patient chart": 100,
    "clinician week feed": 100,
    "program week feed": 100,
    "group roster": 100,
    "attendance POST (15)": 100,
    "work list": 100,
    "compliance dashboard": 250,
    # Issue 13: the outcomes page reads the outcome facts, so it stays flat as the chart grows.
    "outcomes page": 250,
}


# --- running in the seeded database (a child process with Django set up) ------------------


def prepare() -> None:
    """Sign the benchmark users in and pick the pages' objects; print them as JSON."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")
    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.signals import SESSION_LAST_ACTIVITY, SESSION_LOGIN_AT
    from demo.management.commands.seed_scale import benchmark_subjects

    def signed_in(user) -> str:
        # What a password + TOTP sign-in leaves in the session, written directly: the benchmark
        # cannot type a TOTP code, and this keeps the real MFA middleware in the measured path.
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Benchmark", confirmed=True)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "accounts.privileges.CachedPermissionBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[SESSION_LOGIN_AT] = session[SESSION_LAST_ACTIVITY] = time.time()
        session.create()
        return session.session_key

    subjects = benchmark_subjects()
    subjects["cookies"] = {"clinician": signed_in(subjects["clinician"]), "director": signed_in(subjects["director"])}
    del subjects["clinician"], subjects["director"]
    print(json.dumps(subjects))


# --- the driver ----------------------------------------------------------------------------


def run(command: list[str], env: dict, quiet: bool = False) -> str:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"Failed: {' '.join(command)}")
    if not quiet:
        sys.stdout.write(result.stdout)
    return result.stdout


def ensure_database(name: str) -> None:
    import psycopg2

    connection = psycopg2.connect(f"{DATABASE_HOST}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            print(f"Creating database {name}")
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def django_env(database: str, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{DATABASE_HOST}/{database}",
        DEBUG="0",
        SECRET_KEY=BENCH_SECRET_KEY,
        AUDIT_CHECKPOINT_KEY=BENCH_AUDIT_CHECKPOINT_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        DB_CONN_MAX_AGE="600",
        SECURE_COOKIES="0",
        IOP_BENCH="1",
        **extra,
    )
    env.pop("PYTEST_VERSION", None)
    return env


def request(port: int, method: str, path: str, cookie: str, body: str | None = None) -> tuple[float, int, dict, bytes]:
    headers = {"Cookie": f"sessionid={cookie}; csrftoken={CSRF_TOKEN}", "Host": "127.0.0.1"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    payload = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    connection.close()
    return elapsed, response.status, dict(response.getheaders()), payload


def rows_rendered(headers: dict, payload: bytes) -> int:
    if headers.get("Content-Type", "").startswith("application/json"):
        return len(json.loads(payload))
    text = payload.decode("utf-8", "replace")
    body_rows = sum(len(re.findall(r"<tr[\s>]", tbody)) for tbody in re.findall(r"<tbody.*?</tbody>", text, re.S))
    return body_rows or len(re.findall(r"<li class=\"list-group-item", text))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def measure(port: int, page: dict, requests: int, concurrency: int) -> dict:
    """Time ``requests`` requests of one page spread over ``concurrency`` threads."""
    latencies, statuses, lock = [], [], threading.Lock()
    counter = iter(range(requests))

    def worker():
        while True:
            with lock:
                number = next(counter, None)
            if number is None:
                return
            elapsed, status, _, _ = request(port, page["method"], page["path"], page["cookie"], page["body"](number))
            with lock:
                latencies.append(elapsed)
                statuses.append(status)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    bad = [status for status in statuses if status != page["status"]]
    if bad:
        raise SystemExit(f"{page['name']}: unexpected status {bad[:3]} (wanted {page['status']})")
    return {
        "p50_ms": round(percentile(latencies, 0.5), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "mean_ms": round(statistics.fmean(latencies), 1),
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / wall, 1),
    }


def pages(facts: dict) -> list[dict]:
    clinician, director = facts["cookies"]["clinician"], facts["cookies"]["director"]
    week = urlencode({"start": facts["week_start"], "end": facts["week_end"]})
    patient_ids = facts["roster_patient_ids"][:15]

    def attendance_body(number: int) -> str:
        # Alternate two markings so every POST really writes (a repeat of the same form changes nothing).
        late = number % 2 == 1
        fields = [("csrfmiddlewaretoken", CSRF_TOKEN)]
        for patient_id in patient_ids:
            fields += [
                ("patient", patient_id),
                (f"status-{patient_id}", "late" if late else "present"),
                (f"minutes-{patient_id}", 50 if late else 60),
            ]
        return urlencode(fields)

    def get(name, path, cookie=clinician, status=200):
        return {"name": name, "method": "GET", "path": path, "cookie": cookie, "body": lambda n: None, "status": status}

    return [
        get("trivial page (baseline)", "/accounts/password/"),
        get("registry search", "/patients/?q=garcia"),
        get("registry deep page", facts["deep_page_path"]),
        get("patient chart", f"/patients/{facts['patient_id']}/"),
        get("heavy patient chart", f"/patients/{facts['heavy_patient_id']}/"),
        get("heavy patient drug tests", f"/patients/{facts['heavy_patient_id']}/drug-tests/"),
        get("heavy patient notes", f"/clinical/patients/{facts['heavy_patient_id']}/notes/"),
        get("heavy patient older notes", facts["older_notes_path"]),
        get("clinician week feed", f"/schedule/calendar/clinician/{facts['clinician_id']}/events/?{week}"),
        get("program week feed", f"/schedule/calendar/program/{facts['program_id']}/events/?{week}"),
        get("group roster", f"/schedule/sessions/{facts['session_id']}/roster/"),
        {
            "name": "attendance POST (15)",
            "method": "POST",
            "path": f"/schedule/sessions/{facts['session_id']}/roster/all/",
            "cookie": clinician,
            "body": attendance_body,
            "status": 302,
        },
        get("compliance dashboard", f"/schedule/compliance/?program={facts['program_id']}", cookie=director),
        get("work list", "/"),
        get("drug-test lists", "/testing/"),
        get("outcomes page", "/outcomes/?period=quarter", cookie=director),
        get("outcomes drill-down", "/outcomes/patients/dropouts_30/?period=quarter", cookie=director),
    ]


def deep_page_path(port: int, cookie: str, depth: int) -> str:
    """Follow the registry's own "Next" links ``depth`` pages deep (keyset cursors are opaque)."""
    path = "/patients/"
    for _ in range(depth):
        _, status, _, payload = request(port, "GET", path, cookie)
        found = re.search(r'href="(\?[^"]*)"[^>]*>Next<', payload.decode())
        if status != 200 or not found:
            break
        path = "/patients/" + found.group(1).replace("&amp;", "&")
    return path


def older_notes_path(port: int, cookie: str, patient_id: int, depth: int) -> str:
    """Follow the Notes tab's own "Older notes" links ``depth`` pages deep (keyset cursors are opaque)."""
    path = f"/clinical/patients/{patient_id}/notes/"
    for _ in range(depth):
        _, status, _, payload = request(port, "GET", path, cookie)
        found = re.search(r'href="(\?before=[^"]*)"', payload.decode())
        if status != 200 or not found:
            break
        path = path.split("?")[0] + found.group(1).replace("&amp;", "&")
    return path


def bench_size(size: str, requests: int) -> dict:
    database = f"iop_bench_{size.lower()}"
    ensure_database(database)
    env = django_env(database)
    print(f"[{size}] migrating {database}")
    run([PYTHON, "manage.py", "migrate", "--noinput"], env, quiet=True)
    print(f"[{size}] seeding (skipped if already seeded)")
    run([PYTHON, "manage.py", "seed_scale", "--size", size, "--if-absent"], env)
    # seed_scale bulk-loads the chart past the services that keep the outcome facts; count them once.
    run([PYTHON, "manage.py", "outcomes_rebuild", "--if-empty"], env)
    facts = json.loads(run([PYTHON, "bench/run.py", "prepare"], env, quiet=True))
    port = free_port()
    workers = os.cpu_count() or 2
    server = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "iop.wsgi", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        for _ in range(120):
            try:
                if request(port, "GET", "/accounts/login/", "")[1] == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise SystemExit("gunicorn did not start")
        facts["deep_page_path"] = deep_page_path(port, facts["cookies"]["clinician"], depth=40)
        facts["older_notes_path"] = older_notes_path(port, facts["cookies"]["clinician"], facts["heavy_patient_id"], 4)
        results = []
        for page in pages(facts):
            _, status, headers, payload = request(port, page["method"], page["path"], page["cookie"], page["body"](0))
            if status != page["status"]:
                raise SystemExit(f"[{size}] {page['name']} {page['path']}: status {status}")
            for number in range(3):  # warm the workers' caches and connections
                request(port, page["method"], page["path"], page["cookie"], page["body"](number + 1))
            row = {
                "page": page["name"],
                "path": page["path"],
                "queries": int(headers.get("X-Query-Count", "-1")),
                "rows": 15 if page["method"] == "POST" else rows_rendered(headers, payload),
                "c1": measure(port, page, requests, 1),
                "c4": measure(port, page, requests * 2, 4),
            }
            results.append(row)
            print(f"[{size}] {row['page']:28} q={row['queries']:3} rows={row['rows']:4} "
                  f"p50={row['c1']['p50_ms']:6.1f} p95={row['c1']['p95_ms']:6.1f} ms "
                  f"c4 p95={row['c4']['p95_ms']:6.1f} ms {row['c4']['requests_per_s']:5.1f} req/s")  # fmt: skip
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    baseline = results[0]
    for row in results:
        for level in ("c1", "c4"):
            base = baseline[level]
            for key in ("p50_ms", "p95_ms", "p99_ms"):
                row[level][key.replace("_ms", "_ratio")] = round(row[level][key] / base[key], 2) if base[key] else None
        target = TARGET_MS.get(row["page"])
        row["target_p95_ms"] = target
        row["meets_target"] = None if target is None else row["c1"]["p95_ms"] < target
    return {"size": size, "database": database, "seed": facts["summary"], "workers": workers, "pages": results}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        model = next(
            line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )  # fmt: skip
        cpu = model
    except (OSError, StopIteration):
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"{os.cpu_count()} cores ({cpu}), {system}, Python {platform.python_version()}"


def markdown(report: dict) -> str:
    lines = [
        f"# Benchmark results — {report['date']}",
        "",
        f"Machine: {report['machine']}. gunicorn sync workers = cores, persistent DB connections, DEBUG off, "
        "load generator (bench/run.py) on the same machine, loopback only. Ratios are to the trivial signed-in "
        "page measured in the same run.",
        "",
    ]
    for run_ in report["runs"]:
        seed = run_["seed"]
        lines += [
            f"## Size {run_['size']}",
            "",
            f"{seed.get('patients')} patients ({seed.get('active_episodes')} active), {seed.get('sessions')} sessions, "
            f"{seed.get('attendance')} attendance rows, {seed.get('drug_tests')} drug tests.",
            "",
            "| Page | Queries | Rows | p50 c1 (ms) | p95 c1 (ms) | p99 c1 (ms) | p95 c1 ratio | p50 c4 (ms) | "
            "p95 c4 (ms) | p99 c4 (ms) | p95 c4 ratio | req/s (c4) | Target p95 c1 |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for row in run_["pages"]:
            c1, c4 = row["c1"], row["c4"]
            target = "—"
            if row["target_p95_ms"]:
                target = f"< {row['target_p95_ms']} ms: {'met' if row['meets_target'] else 'MISSED'}"
            lines.append(
                f"| {row['page']} | {row['queries']} | {row['rows']} | {c1['p50_ms']} | {c1['p95_ms']} | "
                f"{c1['p99_ms']} | {c1['p95_ratio']} | {c4['p50_ms']} | {c4['p95_ms']} | {c4['p99_ms']} | "
                f"{c4['p95_ratio']} | {c4['requests_per_s']} | {target} |"
            )
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="bench", choices=["bench", "prepare"])
    parser.add_argument("--sizes", nargs="+", default=["M", "L"], choices=["S", "M", "L"])
    parser.add_argument("--requests", type=int, default=40, help="Requests per page at concurrency 1 (twice at 4).")
    args = parser.parse_args()
    if args.command == "prepare":
        prepare()
        return
    report = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "runs": [bench_size(size, args.requests) for size in args.sizes],
    }
    RESULTS_JSON.write_text(json.dumps(report, indent=2) + "\n")
    RESULTS_MD.write_text(markdown(report) + "\n")
    print(f"Wrote {RESULTS_JSON.relative_to(ROOT)} and {RESULTS_MD.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
