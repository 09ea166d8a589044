"""Print the demo staff logins created by ``manage.py seed_demo`` (development only)."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from accounts.constants import Role

# Shared by every demo account; seed_demo refuses nothing, so never seed a production database.
DEMO_PASSWORD = "Demo-Clinic-2026!"  # noqa: S105 (synthetic demo data only)


@dataclass(frozen=True)
class DemoStaff:
    username: str
    first_name: str
    last_name: str
    credentials: str
    roles: tuple[str, ...]
    # Program codes (see seed_demo.PROGRAMS); empty means none.
    programs: tuple[str, ...] = ()
    supervisor: str = ""
    in_training: bool = False
    is_superuser: bool = False


ADULT, TEEN, MATRIX = "adult-evenings", "adolescent-afternoons", "matrix-stimulant"
ALL_PROGRAMS = (ADULT, TEEN, MATRIX)

# The fixed demo roster: README and demo scripts name these usernames.
DEMO_STAFF: tuple[DemoStaff, ...] = (
    DemoStaff("intake", "Dana", "Whitfield", "CADC", (Role.INTAKE,), ALL_PROGRAMS),
    DemoStaff("intake2", "Marisol", "Acevedo", "CADC-II", (Role.INTAKE,), ALL_PROGRAMS),
    DemoStaff("counselor", "Theo", "Lindqvist", "LADC", (Role.COUNSELOR,), (ADULT,), supervisor="supervisor"),
    DemoStaff("counselor2", "Amara", "Okonkwo", "LMHC", (Role.COUNSELOR,), (ADULT, MATRIX), supervisor="supervisor"),
    DemoStaff(
        "counselor3", "Jordan", "Kealoha", "CADC candidate", (Role.COUNSELOR,), (ADULT,), "supervisor", in_training=True
    ),
    DemoStaff("counselor4", "Priya", "Raman", "LICSW", (Role.COUNSELOR,), (TEEN,), supervisor="supervisor2"),
    DemoStaff("counselor5", "Mateo", "Beltrán", "LADC", (Role.COUNSELOR,), (MATRIX, ADULT), supervisor="supervisor2"),
    DemoStaff("prescriber", "Helen", "Achterberg", "MD", (Role.PRESCRIBER,), ALL_PROGRAMS),
    DemoStaff("prescriber2", "Samuel", "Osei", "PMHNP", (Role.PRESCRIBER,), (TEEN, ADULT)),
    DemoStaff("supervisor", "Ruth", "Castellanos", "LICSW", (Role.SUPERVISOR,), ALL_PROGRAMS),
    DemoStaff("supervisor2", "Wen", "Zhao", "LMFT", (Role.SUPERVISOR,), (TEEN, MATRIX)),
    DemoStaff("director", "Gabriel", "Moreau", "LMHC", (Role.DIRECTOR,), ALL_PROGRAMS),
    DemoStaff("admin", "Alex", "Admin", "", (Role.ADMIN,), is_superuser=True),
)


class Command(BaseCommand):
    help = "List the demo staff usernames, their roles and the shared demo password (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Print the logins even when DEBUG is off.")

    def handle(self, *args, force=False, **options):
        if not (settings.DEBUG or force):
            self.stderr.write(
                self.style.WARNING(
                    "Demo logins are for development only: run with DEBUG=1 (or pass --force on a "
                    "throw-away database). Never seed demo accounts into a real clinic's database."
                )
            )
            return
        existing = set(
            get_user_model()
            .objects.filter(username__in=[s.username for s in DEMO_STAFF])
            .values_list("username", flat=True)
        )
        rows = [
            (
                staff.username,
                ", ".join(str(role) for role in staff.roles) + (" (superuser)" if staff.is_superuser else ""),
                f"{staff.first_name} {staff.last_name}" + (f", {staff.credentials}" if staff.credentials else ""),
                ("in training; " if staff.in_training else "")
                + (f"supervised by {staff.supervisor}" if staff.supervisor else ""),
            )
            for staff in DEMO_STAFF
        ]
        headers = ("Username", "Role", "Name", "Notes")
        widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]

        def line(cells):
            return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

        self.stdout.write(line(headers))
        self.stdout.write(line(["-" * w for w in widths]))
        for row in rows:
            self.stdout.write(line(row))
        self.stdout.write("")
        self.stdout.write(f"Password for every account: {DEMO_PASSWORD}")
        missing = [s.username for s in DEMO_STAFF if s.username not in existing]
        if missing:
            self.stdout.write(
                self.style.WARNING(f"Not in this database yet: {', '.join(missing)}. Run: manage.py seed_demo")
            )
