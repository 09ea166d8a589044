"""Benchmark: create 10,000 session reminders and deliver them through a real broker and real workers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iop .venv/bin/python bench/reminders.py [--count 10000]

It uses its own database (<name>_bench, created and migrated on the first run, emptied
of patients and messages at each run), its own redis-server on a free port and its own
Celery workers (one per core, file SMS backend). It prints the seconds to enqueue the
reminders (messages_enqueue_many, one transaction per group session, as a booking would), the seconds from
the first poll to the last message sent, and the database queries per delivered message
counted in the workers (NOTIFICATIONS_COUNT_QUERIES).
"""

import argparse
import datetime as dt
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")
# Production-like: no query log kept in memory.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "benchmark-only-key")

RUN_LINE = re.compile(r"deliver_due_messages: delivered=(\d+) failed=(\d+) retrying=(\d+) queries=(\d+)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(port: int) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603 (fixed arguments, no user input)
        [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"redis-server did not start on port {port}")


def bench_database():
    """Point Django at <name>_bench, creating and migrating it when it does not exist yet."""
    import django
    from django.conf import settings

    database = settings.DATABASES["default"]
    if not database["ENGINE"].endswith("postgresql"):
        raise SystemExit("The benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    database["TEST"] = {"NAME": f"{database['NAME']}_bench"}
    django.setup()
    from django.db import connection

    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True)
    return connection.settings_dict


def reset_and_seed(patients: int):
    from django.db import connection

    from accounts.models import User
    from notifications.tests.factories import CONSENT_FOR
    from patients.models import Consent, Patient
    from patients.tests.factories import IntakeCoordinatorFactory, PatientFactory

    assert connection.settings_dict["NAME"].endswith("_bench")
    with connection.cursor() as cursor:
        # A database of its own: emptying it cannot touch anyone's data.
        cursor.execute(
            "TRUNCATE notifications_outboundmessage, patients_consent, patients_historicalpatient,"
            " patients_historicalconsent, patients_patient CASCADE"
        )
    recorder = User.objects.filter(username="bench-recorder").first() or IntakeCoordinatorFactory(
        username="bench-recorder"
    )
    rows = []
    for _ in range(patients):
        patient = PatientFactory.build()
        patient.ensure_mrn()
        patient.save()
        rows.append(patient)
    Consent.objects.bulk_create(
        Consent(patient=patient, kind=CONSENT_FOR["sms"], recorded_by=recorder, granted_on=dt.date(2020, 1, 1))
        for patient in rows
    )
    return list(Patient.objects.order_by("pk"))


GROUP_SIZE = 12  # patients in one group session


def enqueue(patients, count: int, lead_times: list[float]) -> float:
    """Reminders as a booking makes them: one transaction per group session, every patient, every lead time."""
    from django.db import transaction
    from django.utils import timezone

    from notifications import services

    first_session = timezone.now() + dt.timedelta(days=1)
    started = time.perf_counter()
    made = 0
    session = 0
    while made < count:
        starts_at = first_session + dt.timedelta(minutes=session)
        group = [patients[(session * GROUP_SIZE + n) % len(patients)] for n in range(GROUP_SIZE)]
        requests = []
        for patient in group:
            for hours in lead_times:
                if made + len(requests) == count:
                    break
                requests.append(
                    services.MessageRequest(
                        patient=patient,
                        channel="sms",
                        template="session_reminder",
                        context={"starts_at": starts_at},
                        # Due now, so the benchmark can deliver at once; a real one is due hours before.
                        send_after=timezone.now() - dt.timedelta(seconds=1),
                        dedupe_key=f"bench:session:{session}:patient:{patient.pk}:reminder-{hours:g}h",
                    )
                )
        with transaction.atomic():
            services.messages_enqueue_many(requests)
        made += len(requests)
        session += 1
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--patients", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--batch-size", type=int, default=200)
    args = parser.parse_args()

    if not shutil.which("redis-server"):
        raise SystemExit("redis-server is not installed: apt-get install -y redis-server")
    database = bench_database()
    print(f"database {database['NAME']}; seeding {args.patients} patients with consent to texts…", flush=True)
    patients = reset_and_seed(args.patients)

    from django.conf import settings

    enqueue_seconds = enqueue(patients, args.count, settings.REMINDER_LEAD_TIMES)
    print(f"enqueued {args.count} reminders in {enqueue_seconds:.1f} s", flush=True)

    from celery import Celery
    from django.db import connection

    from notifications.models import OutboundMessage

    workdir = Path(tempfile.mkdtemp(prefix="iop-bench-"))
    port = free_port()
    redis = start_redis(port)
    broker_url = f"redis://127.0.0.1:{port}/0"
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
            f"/{database['NAME']}"
        ),
        "CELERY_BROKER_URL": broker_url,
        "SMS_BACKEND": "file",
        "SMS_FILE_PATH": str(workdir / "sms.jsonl"),
        # The benchmark measures throughput, not the clock: quiet hours off.
        "QUIET_HOURS_START": "00:00",
        "QUIET_HOURS_END": "00:00",
        "NOTIFICATIONS_BATCH_SIZE": str(args.batch_size),
        "NOTIFICATIONS_COUNT_QUERIES": "1",
        "LOG_LEVEL": "INFO",
    }
    env.pop("PYTEST_VERSION", None)
    workers = []
    try:
        for number in range(args.workers):
            log = (workdir / f"worker-{number}.log").open("wb")
            workers.append(
                subprocess.Popen(  # noqa: S603 (fixed arguments, no user input)
                    [
                        str(Path(sys.executable).with_name("celery")),
                        "-A",
                        "iop",
                        "worker",
                        "--pool=solo",
                        f"--hostname=bench{number}@%h",
                        "--without-gossip",
                        "--without-mingle",
                        "--without-heartbeat",
                        "--loglevel=INFO",
                    ],
                    cwd=REPO,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        logs = [workdir / f"worker-{number}.log" for number in range(args.workers)]
        while not all(" ready." in path.read_text(errors="replace") for path in logs):
            if any(worker.poll() is not None for worker in workers):
                raise SystemExit("a worker died at start-up:\n" + "\n".join(p.read_text()[-2000:] for p in logs))
            time.sleep(0.2)

        client = Celery("bench-client", broker=broker_url)
        started = time.perf_counter()
        # What beat does every 30 s, once per worker, then again while rows remain.
        for _ in range(args.workers):
            client.send_task("notifications.tasks.deliver_due_messages")
        last_poll = time.perf_counter()
        while OutboundMessage.objects.filter(status="sent").count() < args.count:
            if time.perf_counter() - started > 600:
                raise SystemExit("gave up after 10 minutes")
            if time.perf_counter() - last_poll > 20:
                client.send_task("notifications.tasks.deliver_due_messages")
                last_poll = time.perf_counter()
            time.sleep(0.2)
        deliver_seconds = time.perf_counter() - started
        connection.close()
        time.sleep(1)  # let the last run log its counts

        delivered = queries = 0
        for path in logs:
            for match in RUN_LINE.finditer(path.read_text(errors="replace")):
                delivered += int(match.group(1))
                queries += int(match.group(4))
        sent_lines = sum(1 for _ in (workdir / "sms.jsonl").open())
        print(f"delivered {args.count} reminders in {deliver_seconds:.1f} s with {args.workers} worker(s)")
        print(f"  ({args.count / deliver_seconds:.0f} messages/s; {sent_lines} lines in the provider log)")
        print(f"total (enqueue + deliver): {enqueue_seconds + deliver_seconds:.1f} s")
        if delivered:
            print(f"queries per delivered message: {queries / delivered:.3f} ({queries} queries / {delivered})")
    finally:
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        redis.terminate()
        redis.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
