"""The registry: search by name, birth date, MRN or phone; keyset pages; the near-duplicate check."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import jellyfish
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan
from django.db.models.functions import Lower

from iop.phones import normalize_phone

from ..constants import EpisodeStatus
from ..models import (
    Episode,
    Patient,
)
from ..models.registry import name_key
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


# How much each kind of evidence weighs when candidates are put in order (best first).
MATCH_WEIGHTS = {
    "same phone": 40,
    "same email": 40,
    "same name": 30,
    "similar name": 20,
    "first and last names swapped": 20,
    "same first name, another last name": 5,
    "same date of birth": 30,
    "date of birth with day and month swapped": 25,
    "date of birth one digit apart": 20,
    "date of birth with two digits swapped": 20,
}
NEARBY_BIRTH_DAYS = 3  # "a few days": a date picked off by a row or two in a calendar widget
SIMILAR_NAME_SCORE = 0.85  # Jaro-Winkler: "Orla"/"Orlagh" 0.93, "Mary"/"Maria" 0.85, "Orla"/"Olga" 0.78
MAX_DUPLICATES_SHOWN = 10
EARLIEST_BIRTH = date(1900, 1, 1)
MAX_CANDIDATES_READ = 200  # a bound on what is scored in Python, should a phone be shared by a crowd


@dataclass
class DuplicateCandidate:
    """An existing chart that may be the person being registered, and why it was picked."""

    patient: Patient
    reasons: list[str]

    @property
    def score(self) -> int:
        return sum(MATCH_WEIGHTS.get(reason, 15) for reason in self.reasons)


def birth_date_variants(born: date) -> dict[date, str]:
    """The dates a typist could have meant for ``born``, each with how it differs (the closest reason wins)."""
    variants: dict[date, str] = {}

    latest = date.today()

    def add(candidate: date | None, reason: str) -> None:
        # Only dates a chart can hold: from 1900 (the dob_plausible constraint) to today.
        if candidate is not None and EARLIEST_BIRTH <= candidate <= latest and candidate not in variants:
            variants[candidate] = reason

    add(born, "same date of birth")
    if born.day <= 12 and born.day != born.month:
        add(_date_or_none(born.year, born.day, born.month), "date of birth with day and month swapped")
    for days in range(1, NEARBY_BIRTH_DAYS + 1):
        label = f"date of birth {days} day{'s' if days > 1 else ''} apart"
        for candidate in (born - timedelta(days=days), born + timedelta(days=days)):
            add(candidate, label)
    written = born.strftime("%Y%m%d")
    for position, original in enumerate(written):
        for digit in "0123456789":
            if digit != original:
                add(_date_from(written[:position] + digit + written[position + 1 :]), "date of birth one digit apart")
    for position in range(len(written) - 1):
        swapped = written[:position] + written[position + 1] + written[position] + written[position + 2 :]
        if swapped != written:
            add(_date_from(swapped), "date of birth with two digits swapped")
    return variants


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _date_from(written: str) -> date | None:
    return _date_or_none(int(written[:4]), int(written[4:6]), int(written[6:]))


def _similar(a: str, b: str) -> bool:
    a, b = fold(a), fold(b)
    if not a or not b:
        return False
    return a == b or name_key(a) == name_key(b) or jellyfish.jaro_winkler_similarity(a, b) >= SIMILAR_NAME_SCORE


def _name_reason(first: str, last: str, candidate: Patient) -> str | None:
    given_names = [candidate.legal_first_name, candidate.preferred_name]
    first_same = any(fold(first) == fold(name) for name in given_names if name)
    first_similar = any(_similar(first, name) for name in given_names if name)
    last_similar = _similar(last, candidate.legal_last_name)
    if first_same and fold(last) == fold(candidate.legal_last_name):
        return "same name"
    if first_similar and last_similar:
        return "similar name"
    if _similar(first, candidate.legal_last_name) and _similar(last, candidate.legal_first_name):
        return "first and last names swapped"
    if first_similar:
        return "same first name, another last name"
    return None


def possible_duplicates(
    *,
    legal_first_name: str,
    legal_last_name: str,
    date_of_birth: date | None,
    phone: str = "",
    email: str = "",
    exclude_pk=None,
) -> list[DuplicateCandidate]:
    """Charts that may be this person, as a master patient index finds them: best first, at most 10.

    A chart is a candidate when it has the same phone or email, or a birth date a typist could have
    meant (equal, day and month swapped, one digit off or two swapped, a few days off) together with
    a similar name (both names alike, first and last swapped, or the same first name on the same
    birth date, as after a change of last name). The same last name and birth date alone (twins)
    and the same name with an unrelated birth date (a common name) are not.

    The database narrows by indexed keys only (phone, lower-cased email, and each phonetic name key
    with the nearby birth dates); the scoring runs in Python over those few rows.
    """
    first_key, last_key = name_key(legal_first_name), name_key(legal_last_name)
    variants = birth_date_variants(date_of_birth) if date_of_birth else {}
    try:
        phone_digits = digits(normalize_phone(phone)) if phone else ""
    except ValidationError:
        phone_digits = ""
    email = (email or "").strip().lower()

    condition = Q()
    if variants:
        nearby = sorted(variants)
        for key in {first_key, last_key} - {""}:
            # Either key in either place: a changed last name, or first and last names swapped.
            condition |= Q(last_name_key=key, date_of_birth__in=nearby)
            condition |= Q(first_name_key=key, date_of_birth__in=nearby)
    if phone_digits:
        condition |= Q(phone_digits=phone_digits)
    if email:
        condition |= Q(email_lower=email)
    if not condition:
        return []
    rows = Patient.objects.valid().annotate(email_lower=Lower("email")).filter(condition)
    if exclude_pk:
        rows = rows.exclude(pk=exclude_pk)
    # No ORDER BY: ordered by a column, PostgreSQL would rather walk that column's index than
    # combine the key indexes; the rows are put in order after scoring.
    rows = rows.order_by()[:MAX_CANDIDATES_READ]

    candidates = []
    for patient in rows:
        reasons = []
        if phone_digits and patient.phone_digits == phone_digits:
            reasons.append("same phone")
        if email and patient.email_lower == email:
            reasons.append("same email")
        birth = variants.get(patient.date_of_birth)
        name = _name_reason(legal_first_name, legal_last_name, patient)
        if birth and name and (name != "same first name, another last name" or birth == "same date of birth"):
            reasons.extend([name, birth])
        if reasons:
            candidates.append(DuplicateCandidate(patient=patient, reasons=reasons))
    candidates.sort(key=lambda candidate: (-candidate.score, candidate.patient.legal_last_name, candidate.patient.pk))
    return candidates[:MAX_DUPLICATES_SHOWN]
