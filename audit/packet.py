"""The chart sections of a disclosure packet, as plain tables kept with the disclosure.

A snapshot rather than a live rendering: the accounting must show what was actually
sent, even after the chart changes. Only records in use are included (never rows
marked entered in error), and SUD counseling notes are never part of a packet.
"""

from django.utils import timezone

from .constants import DisclosureSection


def _date(value) -> str:
    return value.strftime("%m/%d/%Y") if value else ""


def _local(value) -> str:
    return timezone.localtime(value).strftime("%m/%d/%Y") if value else ""


def _demographics(patient) -> tuple[list[str], list[list[str]]]:
    address = ", ".join(
        part
        for part in (patient.address_line1, patient.address_line2, patient.city, patient.state, patient.postal_code)
        if part
    )
    rows = [
        ["Legal name", patient.legal_name],
        ["Preferred name", patient.preferred_name],
        ["Date of birth", _date(patient.date_of_birth)],
        ["MRN", patient.mrn],
        ["Sex at birth", str(patient.get_sex_at_birth_display())],
        ["Gender identity", patient.gender_identity],
        ["Address", address],
        ["Phone", patient.phone],
    ]
    return ["Field", "Value"], [row for row in rows if row[1]]


def _episodes(patient):
    episodes = patient.episodes.valid().select_related("program").order_by("-admitted_on")
    rows = [
        [
            episode.program.name,
            str(episode.get_level_of_care_display()),
            _date(episode.admitted_on),
            _date(episode.discharged_on),
            str(episode.get_status_display()),
        ]
        for episode in episodes
    ]
    return ["Program", "Level of care", "Admitted", "Discharged", "Status"], rows


def _diagnoses(patient):
    rows = [
        [dx.code, dx.description, "yes" if dx.is_primary else "", _date(dx.diagnosed_on), _date(dx.resolved_on)]
        for dx in patient.diagnoses.valid().order_by("-is_primary", "diagnosed_on")
    ]
    return ["ICD-10-CM", "Description", "Primary", "Diagnosed", "Resolved"], rows


def _substance_use(patient):
    rows = [
        [
            str(use.get_substance_display()),
            str(use.get_route_display()),
            str(use.get_frequency_display()),
            "" if use.age_of_first_use is None else str(use.age_of_first_use),
            _date(use.last_used_on),
            "yes" if use.is_primary else "",
        ]
        for use in patient.substance_use.valid().order_by("-is_primary", "substance")
    ]
    return ["Substance", "Route", "Frequency", "Age at first use", "Last used", "Primary"], rows


def _assessments(patient):
    rows = []
    for response in patient.instrument_responses.valid().order_by("-administered_at"):
        if response.score is None:
            result = ", ".join(f"{name} {value}" for name, value in response.subscales.items())
        else:
            result = f"{response.score} ({response.band})" if response.band else str(response.score)
        rows.append([_local(response.administered_at), str(response.get_instrument_display()), result])
    for asam in patient.asam_assessments.valid().order_by("-assessed_at"):
        rows.append([_local(asam.assessed_at), "ASAM assessment", f"recommends {asam.get_recommended_level_display()}"])
    return ["Date", "Assessment", "Result"], rows


def _insurance(patient):
    rows = []
    policies = patient.insurance_policies.valid().prefetch_related("authorizations").order_by("-is_primary")
    for policy in policies:
        rows.append([policy.payer, policy.plan_name, policy.member_id, "", ""])
        for auth in policy.authorizations.all():
            if auth.entered_in_error_at is None:
                period = f"{_date(auth.starts_on)}–{_date(auth.ends_on)}"
                units = f"{auth.units_used}/{auth.units_authorized} {auth.get_unit_display()}"
                rows.append(["", "", "", f"{auth.number} ({period})", units])
    return ["Payer", "Plan", "Member ID", "Authorization", "Units used"], rows


BUILDERS = {
    DisclosureSection.DEMOGRAPHICS: _demographics,
    DisclosureSection.EPISODES: _episodes,
    DisclosureSection.DIAGNOSES: _diagnoses,
    DisclosureSection.SUBSTANCE_USE: _substance_use,
    DisclosureSection.ASSESSMENTS: _assessments,
    DisclosureSection.INSURANCE: _insurance,
}


def disclosure_content(patient, sections) -> list[dict]:
    """Each chosen section as {code, title, columns, rows}, all values plain strings."""
    labels = dict(DisclosureSection.choices)
    content = []
    for code in sections:
        columns, rows = BUILDERS[code](patient)
        content.append({"code": code, "title": str(labels[code]), "columns": columns, "rows": rows})
    return content
