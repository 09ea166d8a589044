"""Fixtures for the outbox: quiet hours off by default, a private redis-server, real Celery workers."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from accounts.tests.factories import CounselorFactory, IntakeCoordinatorFactory, SupervisorFactory

REPO = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings, tmp_path):
    # Tests run at any hour; the ones about quiet hours set their own window.
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = "00:00"
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    settings.SMS_FILE_DELAY_SECONDS = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def recorder(db):
    return IntakeCoordinatorFactory()


@pytest.fixture
def counselor(db):
    return CounselorFactory()


@pytest.fixture
def supervisor(db):
    return SupervisorFactory()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of our own on a free port: tests stop and restart it, never the shared one."""

    def __init__(self, port: int):
        self.port = port
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture(scope="session")
def redis_server():
    if not any(Path(d, "redis-server").exists() for d in os.environ.get("PATH", "").split(os.pathsep)):
        pytest.fail("redis-server is not installed. Install it with: apt-get install -y redis-server")
    server = RedisServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(redis_server):
    """A Celery client on our redis-server: what beat does, send_task by name."""
    if redis_server.process is None:
        redis_server.start()
    app = Celery("iop-test-client", broker=redis_server.url)
    app.conf.broker_connection_retry_on_startup = False
    yield app
    app.close()


class Worker:
    def __init__(self, process, log_path: Path):
        self.process = process
        self.log_path = log_path

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def start_worker(redis_server, tmp_path, settings):
    """Start a real `celery -A iop worker` on our broker and the pytest test database."""
    workers = []
    database = connection.settings_dict

    def _start(name: str, **env_overrides) -> Worker:
        log_path = tmp_path / f"worker-{name}.log"
        env = {
            **os.environ,
            "DATABASE_URL": (
                f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
                f"/{database['NAME']}"
            ),
            "CELERY_BROKER_URL": redis_server.url,
            "SMS_BACKEND": "file",
            "SMS_FILE_PATH": settings.SMS_FILE_PATH,
            "QUIET_HOURS_START": "00:00",
            "QUIET_HOURS_END": "00:00",
            "DB_CONN_MAX_AGE": "0",
            "LOG_LEVEL": "INFO",
        }
        env.update({key: str(value) for key, value in env_overrides.items()})
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    str(CELERY),
                    "-A",
                    "iop",
                    "worker",
                    "--pool=solo",
                    "--loglevel=INFO",
                    f"--hostname={name}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so a kill reaches it and only it
            )
        worker = Worker(process, log_path)
        workers.append(worker)
        deadline = time.monotonic() + 30
        while " ready." not in worker.log:
            if process.poll() is not None or time.monotonic() > deadline:
                worker.kill()
                pytest.fail(f"Celery worker {name} did not start:\n{worker.log[-3000:]}")
            time.sleep(0.1)
        return worker

    yield _start
    # A warm shutdown takes seconds per worker; the tests are done with them, and rows are in PostgreSQL.
    for worker in workers:
        worker.kill()


def wait_for(condition, *, timeout: float, interval: float = 0.1, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s waiting for {message}")
