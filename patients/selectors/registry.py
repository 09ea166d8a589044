"""The registry: search by name, birth date, MRN or phone; keyset pages; the duplicate check."""

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan

from iop.phones import normalize_phone

from ..constants import EpisodeStatus
from ..models import (
    Episode,
    Patient,
)
from ..text import digits, fold

DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y")


MRN_PATTERN = re.compile(r"^\d{9}$")


PHONE_LIKE = re.compile(r"^[\d\s()+.\-]+$")


def parse_search_date(text: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def patient_search(patients: QuerySet[Patient], query: str) -> QuerySet[Patient]:
    """Search by name (accent- and case-insensitive), date of birth, MRN or phone."""
    query = (query or "").strip()[:100]
    if not query:
        return patients
    query_digits = digits(query)
    if PHONE_LIKE.match(query) and len(query_digits) >= 4 and not parse_search_date(query):
        # "(617) 555-0142", "555 0142" or an MRN: match on the digits alone.
        return patients.filter(Q(phone_digits__contains=query_digits) | Q(mrn__startswith=query_digits))
    condition = Q()
    for token in query.split():
        token_date = parse_search_date(token)
        token_digits = digits(token)
        if token_date:
            condition &= Q(date_of_birth=token_date)
        elif MRN_PATTERN.match(token):
            condition &= Q(mrn=token) | Q(phone_digits__endswith=token)
        elif len(token_digits) >= 4 and len(token_digits) >= len(token) - 4:
            condition &= Q(phone_digits__contains=token_digits) | Q(mrn__startswith=token_digits)
        else:
            condition &= Q(search_name__contains=fold(token))
    return patients.filter(condition)


def registry_rows(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """What the registry table shows, in a fixed number of queries whatever the page size."""
    active_episodes = Episode.objects.valid().filter(status=EpisodeStatus.ACTIVE).select_related("program")
    return patients.select_related("primary_clinician").prefetch_related(
        Prefetch("episodes", queryset=active_episodes, to_attr="active_episodes")
    )


@dataclass
class RegistryPage:
    """One page of the registry, reached by keyset: ``after`` is the last patient of the previous page."""

    rows: list[Patient]
    next_after: int | None
    is_first: bool
    count: int | None  # the total, counted on the first page only (deep pages skip the count)

    def __iter__(self):
        return iter(self.rows)


def registry_page(patients: QuerySet[Patient], *, after: int | None = None, page_size: int = 25) -> RegistryPage:
    """Rows after the patient ``after`` in registry order: a deep page costs what the first one does.

    The cursor is a patient id, not a name, so no patient's name ends up in a URL or a server log.
    It is looked up among ``patients`` (the ones this user may see, as searched): the id of anyone
    else starts at the first page, or the page would place a hidden patient's name in the order.
    """
    ordered = registry_rows(patients).order_by("legal_last_name", "legal_first_name", "id")
    position = None
    if after is not None:
        position = patients.filter(pk=after).values_list("legal_last_name", "legal_first_name", "id").first()
    if position is not None:
        # Row comparison on (last, first, id) walks the patients_patient_name_order index from the cursor.
        ordered = ordered.filter(TupleGreaterThan(Tuple("legal_last_name", "legal_first_name", "id"), tuple(position)))
    rows = list(ordered[: page_size + 1])
    has_next = len(rows) > page_size
    rows = rows[:page_size]
    return RegistryPage(
        rows=rows,
        next_after=rows[-1].pk if has_next else None,
        is_first=position is None,
        count=patients.count() if position is None else None,
    )


def possible_duplicates(
    *, legal_first_name: str, legal_last_name: str, date_of_birth: date | None, phone: str, exclude_pk=None
) -> QuerySet[Patient]:
    """Same name and date of birth, or the same phone number: shown before a new chart is saved."""
    condition = Q()
    if date_of_birth and legal_last_name:
        condition |= Q(
            date_of_birth=date_of_birth,
            search_name__startswith=fold(f"{legal_last_name} {legal_first_name}"),
        )
    try:
        phone_digits = digits(normalize_phone(phone)) if phone else ""
    except ValidationError:
        phone_digits = ""
    if phone_digits:
        condition |= Q(phone_digits=phone_digits)
    if not condition:
        return Patient.objects.none()
    duplicates = Patient.objects.valid().filter(condition)
    if exclude_pk:
        duplicates = duplicates.exclude(pk=exclude_pk)
    return duplicates.order_by("legal_last_name", "legal_first_name")[:10]
