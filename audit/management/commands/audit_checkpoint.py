"""Chain the pending access-log rows and write a signed checkpoint of the head now."""

from django.core.management.base import BaseCommand

from audit.services import access_log_checkpoint


class Command(BaseCommand):
    help = (
        "Chain the access-log rows not chained yet and sign the chain's head into a checkpoint (log stream and "
        "AUDIT_CHECKPOINT_FILE), as beat does every 5 minutes; run it after rotating AUDIT_CHECKPOINT_KEY."
    )

    def handle(self, *args, **options):
        checkpoint = access_log_checkpoint()
        self.stdout.write(self.style.SUCCESS(f"Wrote the {checkpoint}, signed with key {checkpoint.key_id}."))
