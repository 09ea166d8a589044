"""Deployment safety: production settings pass check --deploy, headers, error pages, logs, backups."""

import io
import logging
import os
import re
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.views import defaults

from accounts.tests.factories import CounselorFactory
from iop.logging import SingleLineFilter
from iop.management.commands import backup_restore_check

BASE_DIR = Path(settings.BASE_DIR)


def production_env() -> dict:
    # Test-only variables (pytest, Playwright's async-unsafe switch) are not part of production.
    test_only = {"PYTEST_VERSION", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in test_only}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="clinic.example.org",
        SECURE_SSL_REDIRECT="1",
        AUDIT_CHECKPOINT_KEY=secrets.token_urlsafe(48),
        SMS_HTTP_URL="https://sms.example.org/messages",
        SMS_HTTP_TOKEN=secrets.token_urlsafe(24),
    )
    return env


def test_check_deploy_reports_nothing_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    env.pop("SECRET_KEY")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_responses_carry_the_security_headers(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response.cookies["csrftoken"]["samesite"] == "Lax"


@pytest.mark.django_db
def test_the_session_cookie_is_httponly_and_samesite(client):
    from accounts.tests.factories import DEMO_PASSWORD

    user = CounselorFactory()
    response = client.post(reverse("login"), {"username": user.username, "password": DEMO_PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_upload_limits_are_set():
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS <= 5000
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES <= 20


def template_files():
    roots = [BASE_DIR / "templates", *BASE_DIR.glob("*/templates")]
    return sorted(path for root in roots for path in root.rglob("*.html") if ".venv" not in path.parts)


def test_no_template_needs_inline_script_or_style():
    offenders = []
    for path in template_files():
        text = path.read_text()
        for match in re.finditer(r"<script\b[^>]*>", text):
            if "src=" not in match.group(0):
                offenders.append(f"{path}: inline <script>")
        if re.search(r"\son[a-z]+\s*=\s*[\"']", text):
            offenders.append(f"{path}: inline event handler")
        if re.search(r"\sstyle\s*=\s*[\"']", text) or "<style" in text:
            offenders.append(f"{path}: inline style")
    assert not offenders, offenders


def test_error_pages_echo_nothing_from_the_request():
    request = RequestFactory().get("/patients/123/?q=Jane+Doe%3Cscript%3E")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    not_found = defaults.page_not_found(request, Exception("Patient Jane Doe not found"))
    forbidden = defaults.permission_denied(request, Exception("Jane Doe"))
    server_error = defaults.server_error(request)
    pages = ((not_found, "Not found"), (forbidden, "Not allowed"), (server_error, "Something went wrong"))
    for response, heading in pages:
        body = response.content.decode()
        assert heading in body
        assert "Jane" not in body
        assert "/patients/123" not in body
        assert "<script>" not in body


@pytest.mark.django_db
def test_an_unknown_url_gets_the_plain_404_page(login):
    response = login(CounselorFactory()).get("/patients/no-such-page-for-Jane/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()
    assert "Jane" not in response.content.decode()


def console_handler() -> logging.Handler:
    for handler in logging.getLogger().handlers:
        if any(isinstance(f, SingleLineFilter) for f in handler.filters):
            return handler
    raise AssertionError("the console handler from settings.LOGGING is not installed")


def test_a_crlf_in_user_input_cannot_forge_a_log_line():
    handler = console_handler()
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        logging.getLogger("patients.views").warning(
            "Search failed for %s", "Smith\r\n2026-01-01 00:00:00 INFO accounts admin logged in"
        )
    finally:
        handler.setStream(previous)
    output = buffer.getvalue()
    assert output.count("\n") == 1, output
    assert "\r" not in output
    assert "Smith\\r\\n2026-01-01" in output


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_restores_into_a_scratch_database_with_matching_counts(tmp_path):
    CounselorFactory.create_batch(3)
    dump = tmp_path / "clinic.dump"
    # Last night's dump, left world-readable by an earlier tool: overwriting it must close it.
    dump.write_bytes(b"old")
    dump.chmod(0o644)
    out = io.StringIO()
    call_command("backup_restore_check", dump=str(dump), stdout=out)
    text = out.getvalue()
    assert "Restore check passed" in text and "content checksum" in text
    assert dump.stat().st_size > 0
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    scratch = re.search(r"Restoring into scratch database (\S+)\.", text).group(1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [scratch])
        assert cursor.fetchone()[0] == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_restored_copy_with_the_same_counts_but_other_content_fails_the_check(tmp_path, monkeypatch):
    CounselorFactory.create_batch(2)
    restore = backup_restore_check.Command._restore

    def restore_then_corrupt(self, config, dump_path, scratch_name):
        restore(self, config, dump_path, scratch_name)
        # A restore that lost a change: every row is there, one of them as it was before.
        damaged = psycopg2.connect(**backup_restore_check._connection_kwargs(config, scratch_name))
        with damaged, damaged.cursor() as cursor:
            cursor.execute(
                "UPDATE accounts_user SET first_name = 'Changed' WHERE id = (SELECT min(id) FROM accounts_user)"
            )
        damaged.close()

    monkeypatch.setattr(backup_restore_check.Command, "_restore", restore_then_corrupt)
    errors = io.StringIO()
    with pytest.raises(CommandError, match=r"differs in 1 table"):
        call_command("backup_restore_check", dump=str(tmp_path / "clinic.dump"), stdout=io.StringIO(), stderr=errors)
    assert "accounts_user: " in errors.getvalue() and "content differs" in errors.getvalue()
