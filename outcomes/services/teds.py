"""The TEDS export: a file for the state, recorded as a disclosure-like event. The file carries no names."""

import csv
import hashlib
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.constants import DataCategory
from audit.services import access_log_record

from ..constants import TEDS_ADMISSION_LAYOUT, TEDS_DISCHARGE_LAYOUT, TEDS_TEXT_FIELDS, TedsFormat
from ..models import TedsClient, TedsExport
from ..models.reporting import new_client_id
from ..selectors.periods import Period
from ..selectors.teds import TedsRecord, layout, teds_report

CSV_COLUMNS = [name for name, _, _ in TEDS_ADMISSION_LAYOUT] + [
    name for name, _, _ in TEDS_DISCHARGE_LAYOUT if name not in {n for n, _, _ in TEDS_ADMISSION_LAYOUT}
]


@dataclass(frozen=True)
class TedsFile:
    content: str
    filename: str
    export: TedsExport


def teds_clients_ensure(patient_ids) -> dict[int, str]:
    """Each patient's TEDS client identifier, made the first time it is needed (random, never the MRN)."""
    patient_ids = set(patient_ids)
    known = dict(TedsClient.objects.filter(patient_id__in=patient_ids).values_list("patient_id", "client_id"))
    missing = patient_ids - set(known)
    if missing:
        taken = set(TedsClient.objects.values_list("client_id", flat=True)) if len(missing) > 50 else set()
        new = []
        for patient_id in sorted(missing):
            client_id = new_client_id()
            while client_id in taken or TedsClient.objects.filter(client_id=client_id).exists():
                client_id = new_client_id()
            taken.add(client_id)
            new.append(TedsClient(patient_id=patient_id, client_id=client_id))
        TedsClient.objects.bulk_create(new)
        known.update({client.patient_id: client.client_id for client in new})
    return known


def fixed_line(record: TedsRecord) -> str:
    """One record in the fixed layout: identifiers left-justified, codes right-justified, each in its width."""
    cells = []
    for name, width, _ in layout(record.kind):
        value = str(record.values.get(name, ""))
        if len(value) > width:
            raise ValueError(f"{name} {value!r} is wider than {width}.")
        cells.append(value.ljust(width) if name in TEDS_TEXT_FIELDS else value.rjust(width))
    return "".join(cells)


def render(records: list[TedsRecord], file_format: str) -> str:
    if file_format == TedsFormat.FIXED:
        return "".join(fixed_line(record) + "\r\n" for record in records)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for record in records:
        writer.writerow([record.values.get(name, "") for name in CSV_COLUMNS])
    return buffer.getvalue()


@transaction.atomic
def teds_export(*, user, programs, period: Period, file_format: str, exclude_invalid: bool, request=None) -> TedsFile:
    """Build the period's TEDS file; refuse invalid records unless the user leaves them out, and record it."""
    if file_format not in TedsFormat.values:
        raise ValidationError({"file_format": "Choose CSV or the fixed layout."})
    programs = list(programs)
    program_ids = [program.pk for program in programs]
    report = teds_report(program_ids, period)
    invalid = report.invalid
    if invalid and not exclude_invalid:
        raise ValidationError(
            f"{len(invalid)} of {len(report.records)} records have missing or inconsistent fields. Fix them "
            "(each links to its form), or choose to leave them out of this file."
        )
    records = report.valid
    if not records:
        raise ValidationError("There is no valid record to export for this period.")
    clients = teds_clients_ensure(record.episode.patient_id for record in records)
    for record in records:
        record.values["CLIENTID"] = clients[record.episode.patient_id]
    content = render(records, file_format)
    now = timezone.now()
    export = TedsExport(
        exported_at=now,
        exported_by=user,
        period_start=period.start,
        period_end=period.end,
        file_format=file_format,
        admission_records=sum(1 for record in records if record.kind == "A"),
        discharge_records=sum(1 for record in records if record.kind == "D"),
        excluded_records=len(invalid),
        sha256=hashlib.sha256(content.encode()).hexdigest(),
    )
    export.full_clean()
    export.save()
    export.programs.set(programs)
    access_log_record(
        request=request,
        user=user,
        category=DataCategory.DISCLOSURE,
        action="TEDS export",
        detail=(
            f"export {export.pk}: {period.start:%Y-%m-%d}..{period.end:%Y-%m-%d}, programs "
            f"{','.join(map(str, program_ids))}: {export.admission_records} admissions, "
            f"{export.discharge_records} discharges, {export.excluded_records} left out ({file_format})"
        ),
    )
    extension = "csv" if file_format == TedsFormat.CSV else "txt"
    filename = f"teds-{period.start:%Y%m%d}-{period.end:%Y%m%d}-{export.pk}.{extension}"
    return TedsFile(content, filename, export)
