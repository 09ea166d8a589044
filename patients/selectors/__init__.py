"""Reads for the chart. Who may see which patient is decided here (access.py) and nowhere else."""

from .access import patient_for_view, patients_visible_to, visible_patient_ids
from .chart import (
    ChartHeader,
    active_episodes_by_patient,
    chart_header,
    consent_is_active,
    instrument_trend,
    open_alerts,
    open_intakes,
    unacknowledged_safety_alerts,
)
from .registry import (
    DATE_FORMATS,
    MRN_PATTERN,
    PHONE_LIKE,
    RegistryPage,
    parse_search_date,
    patient_search,
    possible_duplicates,
    registry_page,
    registry_rows,
)

__all__ = [
    "DATE_FORMATS",
    "MRN_PATTERN",
    "PHONE_LIKE",
    "ChartHeader",
    "RegistryPage",
    "active_episodes_by_patient",
    "chart_header",
    "consent_is_active",
    "instrument_trend",
    "open_alerts",
    "open_intakes",
    "parse_search_date",
    "patient_for_view",
    "patient_search",
    "patients_visible_to",
    "possible_duplicates",
    "registry_page",
    "registry_rows",
    "unacknowledged_safety_alerts",
    "visible_patient_ids",
]
