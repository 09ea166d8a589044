"""Run by test_sqlite_default.py in its own process, on the SQLite file `make run` uses.

Several staff open charts at once while the outbox worker delivers messages: no request may
fail with "database is locked". Prints one JSON line with what happened.
"""

import json
import os
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")

import django

django.setup()

from django.db import OperationalError, close_old_connections, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

# The test client's "testserver" host is allowed only in a test environment (else every look is a 400).
setup_test_environment()

from accounts.tests.factories import CounselorFactory  # noqa: E402
from accounts.tests.helpers import login_verified  # noqa: E402
from notifications.constants import Channel, MessageTemplate  # noqa: E402
from notifications.models import OutboundMessage  # noqa: E402
from notifications.services.delivery import deliver_due_messages  # noqa: E402
from patients.tests.factories import CareTeamMemberFactory, EpisodeFactory  # noqa: E402

VIEWERS, LOOKS_EACH, DELIVERY_RUNS = 6, 15, 10


def main() -> None:
    counselors = [CounselorFactory() for _ in range(VIEWERS)]
    episodes = [EpisodeFactory(primary_clinician=counselor) for counselor in counselors]
    for counselor, episode in zip(counselors, episodes, strict=True):
        CareTeamMemberFactory(patient=episode.patient, user=counselor, role="primary")
    OutboundMessage.objects.bulk_create(
        OutboundMessage(
            patient=episodes[i % VIEWERS].patient,
            channel=Channel.SMS,
            template=MessageTemplate.SESSION_REMINDER,
            body="Reminder: your appointment at the clinic tomorrow at 6:00 PM.",
            send_after=timezone.now(),
            next_attempt_at=timezone.now(),
            dedupe_key=f"sqlite-parallel:{i}",
        )
        for i in range(60)
    )
    errors: list[str] = []
    looks = []

    def view(counselor, episode) -> None:
        client = login_verified(Client(), counselor)
        try:
            for _ in range(LOOKS_EACH):
                response = client.get(f"/patients/{episode.patient_id}/")
                looks.append(response.status_code)
        except OperationalError as error:
            errors.append(str(error))
        finally:
            close_old_connections()

    def deliver() -> None:
        try:
            for _ in range(DELIVERY_RUNS):
                deliver_due_messages(batch_size=10, run_seconds=2)
        except OperationalError as error:
            errors.append(str(error))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=view, args=pair) for pair in zip(counselors, episodes, strict=True)]
    threads.append(threading.Thread(target=deliver))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal = cursor.fetchone()[0]
    print(json.dumps({"looks": looks, "errors": errors, "journal": journal}))


if __name__ == "__main__":
    main()
