"""Reads for audit reports: which rows a reviewer may see, filters, and keyset pages."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core import signing
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.constants import Role
from patients.constants import ConsentKind
from patients.models import Consent
from patients.selectors import patients_visible_to

from .models import AccessLog, Disclosure

PAGE_SIZE = 50
CURSOR_SALT = "audit.access-log.keyset"

# Column a report can be sorted by → the expression it sorts on. Every sort ends with
# (at, id) so the order is total and a keyset cursor can continue it exactly.
SORT_COLUMNS = {
    "at": "at",
    "user": "sort_user",
    "patient": "sort_patient",
    "category": "category",
    "outcome": "outcome",
}
DEFAULT_SORT = "-at"


def access_logs_visible_to(user) -> QuerySet[AccessLog]:
    """Admins see the whole log; other reviewers (program directors) see rows about the patients they may see."""
    logs = AccessLog.objects.all()
    if not (user and user.is_authenticated and user.has_perm("audit.view_accesslog")):
        return logs.none()
    if user.is_superuser or user.has_role(Role.ADMIN):
        return logs
    return logs.filter(Q(patient__isnull=True) | Q(patient__in=patients_visible_to(user)))


def access_log_filter(
    logs: QuerySet[AccessLog],
    *,
    patient=None,
    user=None,
    date_from: date | None = None,
    date_to: date | None = None,
    category: str = "",
    outcome: str = "",
) -> QuerySet[AccessLog]:
    """Narrow a report; dates are whole days in the clinic's time zone, both ends included."""
    if patient is not None:
        logs = logs.filter(patient=patient)
    if user is not None:
        logs = logs.filter(user=user)
    if date_from:
        logs = logs.filter(at__gte=timezone.make_aware(datetime.combine(date_from, time.min)))
    if date_to:
        logs = logs.filter(at__lt=timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min)))
    if category:
        logs = logs.filter(category=category)
    if outcome:
        logs = logs.filter(outcome=outcome)
    return logs


def parse_sort(sort: str) -> str:
    return sort if sort.lstrip("-") in SORT_COLUMNS else DEFAULT_SORT


def sort_keys(sort: str) -> list[tuple[str, bool]]:
    """(expression, descending) pairs for a sort like "-user": the column, then time and id as tie-breakers."""
    sort = parse_sort(sort)
    descending = sort.startswith("-")
    column = SORT_COLUMNS[sort.lstrip("-")]
    if column == "at":
        return [("at", descending), ("id", descending)]
    return [(column, descending), ("at", True), ("id", True)]


def access_log_rows(logs: QuerySet[AccessLog], sort: str) -> QuerySet[AccessLog]:
    """The report's rows, sorted, with what each row shows fetched in the same query."""
    keys = sort_keys(sort)
    return (
        logs.select_related("user", "patient")
        .annotate(
            sort_user=Coalesce(F("user__username"), Value("")), sort_patient=Coalesce(F("patient__mrn"), Value(""))
        )
        .order_by(*(f"-{name}" if descending else name for name, descending in keys))
    )


@dataclass
class KeysetPage:
    rows: list[AccessLog]
    next_cursor: str | None
    previous_cursor: str | None
    is_first: bool


def _cursor_for(row, keys, direction: str) -> str:
    values = [getattr(row, name) for name, _ in keys]
    values = [value.isoformat() if isinstance(value, datetime) else value for value in values]
    return signing.dumps({"v": values, "d": direction}, salt=CURSOR_SALT)


def _read_cursor(cursor: str, keys) -> tuple[list, str] | None:
    try:
        data = signing.loads(cursor, salt=CURSOR_SALT)
        values = list(data["v"])
        direction = data["d"]
        if len(values) != len(keys) or direction not in ("next", "previous"):
            return None
        return [
            datetime.fromisoformat(v) if name == "at" else v for (name, _), v in zip(keys, values, strict=True)
        ], direction
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def _after(keys, values) -> Q:
    """Rows strictly after ``values`` in the order ``keys`` (the keyset condition)."""
    condition = Q()
    for index, (name, descending) in enumerate(keys):
        step = Q(**{f"{name}__lt" if descending else f"{name}__gt": values[index]})
        for earlier in range(index):
            step &= Q(**{keys[earlier][0]: values[earlier]})
        condition |= step
    return condition


def keyset_page(logs: QuerySet[AccessLog], *, sort: str, cursor: str = "", size: int = PAGE_SIZE) -> KeysetPage:
    """One page of a sorted report; the cost doesn't grow with how deep the reader pages (no OFFSET)."""
    keys = sort_keys(sort)
    rows_qs = access_log_rows(logs, sort)
    parsed = _read_cursor(cursor, keys) if cursor else None
    if parsed is None:
        rows = list(rows_qs[: size + 1])
        has_more, rows = len(rows) > size, rows[:size]
        next_cursor = _cursor_for(rows[-1], keys, "next") if has_more else None
        return KeysetPage(rows=rows, next_cursor=next_cursor, previous_cursor=None, is_first=True)
    values, direction = parsed
    if direction == "next":
        rows = list(rows_qs.filter(_after(keys, values))[: size + 1])
        has_more, rows = len(rows) > size, rows[:size]
        return KeysetPage(
            rows=rows,
            next_cursor=_cursor_for(rows[-1], keys, "next") if has_more else None,
            previous_cursor=_cursor_for(rows[0], keys, "previous") if rows else None,
            is_first=False,
        )
    # Going back: walk the reversed order from the cursor, then turn the page the right way round.
    reversed_keys = [(name, not descending) for name, descending in keys]
    backwards = rows_qs.filter(_after(reversed_keys, values)).reverse()
    rows = list(backwards[: size + 1])
    if len(rows) <= size:
        # Back at the start: show a full first page rather than the few rows before the cursor.
        return keyset_page(logs, sort=sort, size=size)
    rows = rows[:size]
    rows.reverse()
    return KeysetPage(
        rows=rows,
        next_cursor=_cursor_for(rows[-1], keys, "next"),
        previous_cursor=_cursor_for(rows[0], keys, "previous"),
        is_first=False,
    )


def patient_recent_accesses(patient, *, limit: int = 50) -> QuerySet[AccessLog]:
    """'Who looked at this chart': the latest looks at one patient, refused attempts included."""
    return AccessLog.objects.filter(patient=patient).select_related("user").order_by("-at", "-id")[:limit]


def disclosures_of(patient) -> QuerySet[Disclosure]:
    """The patient's accounting of disclosures, newest first."""
    return Disclosure.objects.filter(patient=patient).select_related("disclosed_by").order_by("-disclosed_at", "-id")


def part2_consents(patient) -> QuerySet[Consent]:
    """All the patient's Part 2 disclosure consents (active first), so staff see why one can't be used."""
    return (
        Consent.objects.valid()
        .filter(patient=patient, kind=ConsentKind.PART2_DISCLOSURE)
        .select_related("recorded_by")
        .order_by("-granted_on", "-id")
    )


def active_part2_consents(patient) -> QuerySet[Consent]:
    return Consent.objects.filter(patient=patient, kind=ConsentKind.PART2_DISCLOSURE).active().order_by("-granted_on")
