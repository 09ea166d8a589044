"""SMS backends: the file backend's sent log, and the HTTP backend against a tiny local server."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from notifications.channels import channel_for
from notifications.channels.email import EmailChannel
from notifications.channels.sms import FileSMSBackend, HttpSMSBackend


def outgoing(key="session:1:patient:2:reminder-24h"):
    return SimpleNamespace(dedupe_key=key, recipient="+16175550142", body="Riverside Health: see you Monday.")


class Provider(BaseHTTPRequestHandler):
    """Answers according to the number: ...0400 → 400, ...0503 → 503, ...0999 → too slow."""

    requests: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Provider.requests.append({"headers": dict(self.headers), "body": body})
        if body["to"].endswith("0999"):
            time.sleep(1.5)
        status = {"0400": 400, "0503": 503, "0429": 429}.get(body["to"][-4:], 201)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        answer = {"id": "prov-123"} if status == 201 else {"error": "nope"}
        self.wfile.write(json.dumps(answer).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def provider(settings):
    Provider.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{server.server_port}/messages"
    settings.SMS_HTTP_TOKEN = "secret-token"
    settings.SMS_HTTP_TIMEOUT_SECONDS = 0.5
    yield Provider
    server.shutdown()
    server.server_close()


def test_http_backend_posts_json_with_bearer_token_and_idempotency_key(provider, settings):
    result = HttpSMSBackend().send(outgoing())
    assert result.ok and result.provider_id == "prov-123"
    [request] = provider.requests
    assert request["headers"]["Authorization"] == "Bearer secret-token"
    assert request["headers"]["Idempotency-Key"] == "session:1:patient:2:reminder-24h"
    assert request["body"]["to"] == "+16175550142" and request["body"]["body"].startswith("Riverside")


@pytest.mark.parametrize(
    ("number", "permanent"), [("+16175550400", True), ("+16175550503", False), ("+16175550429", False)]
)
def test_http_backend_4xx_is_permanent_5xx_and_429_are_transient(provider, number, permanent):
    message = outgoing()
    message.recipient = number
    result = HttpSMSBackend().send(message)
    assert not result.ok and result.permanent is permanent and result.error.startswith("HTTP ")


def test_http_backend_timeout_is_transient(provider):
    message = outgoing()
    message.recipient = "+16175550999"
    result = HttpSMSBackend().send(message)
    assert not result.ok and not result.permanent


def test_http_backend_connection_refused_is_transient(settings):
    settings.SMS_HTTP_URL = "http://127.0.0.1:9/nothing-listens-here"
    result = HttpSMSBackend().send(outgoing())
    assert not result.ok and not result.permanent


def test_file_backend_finds_what_it_sent_and_skips_torn_lines(settings, tmp_path):
    backend = FileSMSBackend()
    with open(settings.SMS_FILE_PATH, "a") as log:
        log.write('{"id": "torn", "idempotency_ke')  # a crash mid-write, without a newline
        log.write("\n")
    result = backend.send(outgoing("k1"))
    assert backend.find_sent("k1") == result.provider_id
    assert backend.find_sent("k2") is None


def test_channel_for_picks_the_configured_backend(settings):
    settings.SMS_BACKEND = "http"
    assert isinstance(channel_for("sms"), HttpSMSBackend)
    settings.SMS_BACKEND = "notifications.channels.sms.FileSMSBackend"
    assert isinstance(channel_for("sms"), FileSMSBackend)
    assert isinstance(channel_for("email"), EmailChannel)
