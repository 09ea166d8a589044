"""Recount the outcome facts from the chart: after a bulk load (seed_scale, an import) or to repair."""

import time

from django.core.management.base import BaseCommand

from outcomes.models import EpisodeFact
from outcomes.services.facts import facts_rebuild


class Command(BaseCommand):
    help = "Empty the outcome fact tables and count them again from the chart."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the facts already exist.")

    def handle(self, *args, if_empty=False, **options):
        if if_empty and EpisodeFact.objects.exists():
            self.stdout.write("Outcome facts already exist; nothing to do.")
            return
        started = time.monotonic()
        counts = facts_rebuild()
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Outcome facts rebuilt in {time.monotonic() - started:.1f}s: {summary}."))
