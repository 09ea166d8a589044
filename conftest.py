"""Project-wide pytest set-up: the real services must be there, and say so when not."""

import os
import socket
from urllib.parse import urlparse

import pytest

SERVICE_HINTS = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no",
}


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def pytest_sessionstart(session):
    from django.conf import settings

    database = settings.DATABASES["default"]
    checks = []
    if database["ENGINE"].endswith("postgresql"):
        checks.append(("PostgreSQL", database.get("HOST") or "127.0.0.1", int(database.get("PORT") or 5432)))
    redis_url = urlparse(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"))
    checks.append(("Redis", redis_url.hostname or "127.0.0.1", redis_url.port or 6379))
    for name, host, port in checks:
        if not _reachable(host, port):
            pytest.exit(f"{name} is not running on {host}:{port}. Start it with: {SERVICE_HINTS[name]}", returncode=3)


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_audit_triggers():
    """Transactional tests empty every table afterwards, the audit tables too, which refuse TRUNCATE.

    The flush runs with triggers off for its own transaction (``session_replication_role``, a
    superuser's setting, as for restoring a backup); everything else meets the triggers.
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        return original(self, ["SET LOCAL session_replication_role = replica", *sql_list])

    DatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    DatabaseOperations.execute_sql_flush = original


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Staff factories create many users; the production hasher is deliberately slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def login(client):
    """Log a staff user in on the test client: ``login(user).get(url)``.

    Every test logs in through this one fixture, so authentication requirements
    (such as MFA) are satisfied in one place.
    """

    from accounts.tests.helpers import login_verified

    def _login(user):
        # A real confirmed TOTP device and a session verified the way django_otp.login() does.
        return login_verified(client, user)

    return _login


@pytest.fixture
def browser_login(live_server):
    """Log a staff user in through the real login form and MFA step in a Playwright page."""

    from accounts.tests.helpers import confirmed_totp_device, unused_totp_token

    def _login(page, user, password):
        device = confirmed_totp_device(user)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        # The second step: the code the user's authenticator app would show.
        if "/accounts/mfa/verify/" in page.url:
            page.fill("#id_token", unused_totp_token(device))
            page.click("button[type=submit]")
            page.wait_for_load_state()
        return page

    return _login
