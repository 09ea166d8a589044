"""Check the access-log hash chain against the signed checkpoints; exit 2 at the first break."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.chain import chain_verify
from audit.checkpoints import CheckpointError, checkpoints_read


class Command(BaseCommand):
    help = (
        "Verify the access-log hash chain and report the first row that was changed, removed or inserted; "
        "with the signed checkpoints, also a chain cut short, re-hashed or emptied."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000, help="Rows read per query (memory stays constant).")
        parser.add_argument(
            "--checkpoints",
            action="append",
            metavar="FILE",
            help="A file of checkpoint lines (the checkpoint file, or AUDIT_CHECKPOINT lines grepped from the logs); "
            "repeat for several. Default: AUDIT_CHECKPOINT_FILE.",
        )
        parser.add_argument(
            "--without-checkpoints",
            action="store_true",
            help="Walk the chain only: a chain cut short or re-hashed by its owner then passes.",
        )

    def handle(self, *args, batch_size, checkpoints, without_checkpoints, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        paths = [] if without_checkpoints else (checkpoints or [p for p in [settings.AUDIT_CHECKPOINT_FILE] if p])
        signed = None
        if paths:
            keys = [key for key in [settings.AUDIT_CHECKPOINT_KEY, *settings.AUDIT_CHECKPOINT_PREVIOUS_KEYS] if key]
            if not keys:
                raise CommandError("Set AUDIT_CHECKPOINT_KEY to verify the checkpoints.")
            try:
                signed = checkpoints_read(paths, keys)
            except CheckpointError as error:
                raise CommandError(f"Access-log checkpoints unusable: {error}.", returncode=2) from error
        report = chain_verify(batch_size=batch_size, checkpoints=signed)
        if not report.intact:
            raise CommandError(
                f"Access-log chain broken after {report.rows_checked} intact rows. {report.first_break}",
                returncode=2,
            )
        summary = f"Access-log chain intact: {report.rows_checked} rows, last hash {report.last_hash}"
        if report.rows_pending:
            summary += f"; {report.rows_pending} rows awaiting the sequencer"
        if signed is None:
            self.stdout.write(self.style.SUCCESS(summary + "."))
            self.stderr.write(
                self.style.WARNING("Checkpoints not checked: a chain cut short or re-hashed by its owner would pass.")
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary}; {len(signed)} checkpoints agree, the newest being the {report.latest_checkpoint}."
            )
        )
