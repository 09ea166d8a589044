"""Two charts of one person made one: every record of the duplicate chart moves onto the chart kept.

The records are found through the Patient model's reverse relations (``Patient._meta.related_objects``),
so a record type added by any app is moved without patients/ importing that app. The move happens in
one transaction: a record that would break a one-to-one or unique rule on the survivor refuses the
whole merge, naming the record, and nothing changes. Moved records that keep history get a history
row naming the admin and the merge; the ids of every moved row are kept on the PatientMerge record.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from audit.constants import DataCategory
from audit.services import access_log_record, records_update_with_history
from iop.hooks import records_changed
from iop.text import says_something

from ..constants import EpisodeStatus, PatientStatus
from ..models import Patient, PatientMerge

MERGE_PERMISSION = "patients.merge_patient"

# Relations whose rows stay with the merged chart, and why. Every other relation moves.
KEPT_WITH_MERGED_CHART = {
    "patients.patient.merged_into": "charts merged into it earlier keep pointing to it, and it to the survivor",
    "patients.patientmerge.merged": "the record of how this chart was merged",
    "patients.patientmerge.survivor": "the records of charts merged into it earlier",
    "patients.duplicateoverride.patient": "why the chart was registered despite possible matches",
    "patients.breakglassaccess.patient": "emergency access was granted to this chart; the trail stays as it was",
    "audit.disclosure.patient": "the accounting of disclosures is append-only; it stays readable on the merged chart",
}
# Rows the survivor already has an equal of (the same clinician on both care teams): left behind, not a conflict.
REDUNDANT_ON_SURVIVOR = {"patients.careteammember.patient"}
EXAMPLES_NAMED = 3  # conflicting records named per rule; the rest are counted


@dataclass
class RelationMove:
    """The rows of one kind of record that point to the duplicate chart."""

    key: str  # "scheduling.attendance.patient"
    model: type[models.Model]
    field_name: str
    ids: list[int] = field(default_factory=list)
    kept_ids: list[int] = field(default_factory=list)
    kept_because: str = ""

    @property
    def label(self) -> str:
        meta = self.model._meta
        return f"{str(meta.verbose_name_plural).capitalize()} ({meta.app_config.verbose_name})"


@dataclass
class MergePlan:
    """What a merge of ``duplicate`` into ``survivor`` would move, leave, and what stops it."""

    duplicate: Patient
    survivor: Patient
    moves: list[RelationMove]
    conflicts: list[str]

    @property
    def moving(self) -> list[RelationMove]:
        return [move for move in self.moves if move.ids]

    @property
    def staying(self) -> list[RelationMove]:
        return [move for move in self.moves if move.kept_ids]

    @property
    def total_moving(self) -> int:
        return sum(len(move.ids) for move in self.moves)


def _relations():
    for relation in Patient._meta.related_objects:
        related_field = relation.field
        key = f"{relation.related_model._meta.label_lower}.{related_field.name}"
        yield relation, related_field, key


def _unique_rules(model, field_name: str):
    """(other fields, condition, message) of each unique rule that includes the patient field."""
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and field_name in constraint.fields:
            others = [name for name in constraint.fields if name != field_name]
            message = constraint.violation_error_message or constraint.name
            yield others, constraint.condition, str(message).rstrip(".")
    for together in model._meta.unique_together:
        if field_name in together:
            yield [name for name in together if name != field_name], None, f"one per {', '.join(together)}"


def merge_plan(*, duplicate: Patient, survivor: Patient) -> MergePlan:
    """Work out the merge without changing anything: the records to move, those left, and any conflict."""
    if duplicate.pk == survivor.pk:
        raise ValidationError("Choose another chart: a chart cannot be merged into itself.")
    for chart in (duplicate, survivor):
        if chart.merged_into_id or chart.is_entered_in_error:
            raise ValidationError(f"MRN {chart.mrn} is already merged or entered in error; choose a chart in use.")
    moves, conflicts = [], []
    for relation, related_field, key in _relations():
        model = relation.related_model
        move = RelationMove(key=key, model=model, field_name=related_field.name)
        moves.append(move)
        rows = model._base_manager.filter(**{related_field.name: duplicate})
        if relation.many_to_many:
            if rows.exists():
                conflicts.append(f"{move.label}: linked many-to-many, which a merge does not move; unlink them first.")
            continue
        ids = list(rows.order_by("pk").values_list("pk", flat=True))
        if key in KEPT_WITH_MERGED_CHART:
            move.kept_ids, move.kept_because = ids, KEPT_WITH_MERGED_CHART[key]
            continue
        clashing = _clashes(model, related_field, duplicate=duplicate, survivor=survivor)
        if clashing and key in REDUNDANT_ON_SURVIVOR:
            move.kept_ids = sorted({pk for ids in clashing.values() for pk in ids})
            move.kept_because = "the chart kept already has the same"
        elif clashing:
            for message, clash_ids in clashing.items():
                named = ", ".join(
                    str(record) for record in model._base_manager.filter(pk__in=clash_ids)[:EXAMPLES_NAMED]
                )
                more = f" and {len(clash_ids) - EXAMPLES_NAMED} more" if len(clash_ids) > EXAMPLES_NAMED else ""
                conflicts.append(
                    f"{move.label}: both charts have a record where only one is allowed ({message}): "
                    f"{named}{more} on MRN {duplicate.mrn}. Correct one of them, then merge."
                )
        kept = set(move.kept_ids)
        move.ids = [pk for pk in ids if pk not in kept]
    return MergePlan(duplicate=duplicate, survivor=survivor, moves=moves, conflicts=conflicts)


def _clashes(model, related_field, *, duplicate: Patient, survivor: Patient):
    """{rule: ids of the duplicate's rows} that would break a one-to-one or unique rule on the survivor.

    With the patient's flat ids only: each rule is checked the way the database would check it,
    within its condition, NULLs counting as distinct.
    """
    base = model._base_manager
    name = related_field.name
    clashes: dict[str, list[int]] = {}
    if (related_field.one_to_one or related_field.unique) and base.filter(**{name: survivor}).exists():
        ids = list(base.filter(**{name: duplicate}).values_list("pk", flat=True))
        if ids:
            clashes[f"one {model._meta.verbose_name} per patient"] = ids
    for others, condition, message in _unique_rules(model, name):
        scope = base.filter(condition) if condition is not None else base.all()
        columns = [model._meta.get_field(other).attname for other in others]
        if not columns:
            if scope.filter(**{name: survivor}).exists():
                ids = list(scope.filter(**{name: duplicate}).values_list("pk", flat=True))
                if ids:
                    clashes[message] = ids
            continue
        taken = set(scope.filter(**{name: survivor}).values_list(*columns))
        ids = [
            row[0]
            for row in scope.filter(**{name: duplicate}).values_list("pk", *columns)
            if None not in row[1:] and tuple(row[1:]) in taken
        ]
        if ids:
            clashes[message] = ids
    return clashes


def patient_merge(*, duplicate: Patient, survivor: Patient, by, reason: str) -> PatientMerge:
    """Move every record of ``duplicate`` onto ``survivor`` and retire ``duplicate`` as merged into it.

    One transaction: a conflict (a one-to-one or unique rule the move would break) refuses the whole
    merge with the records named, and nothing is changed.
    """
    if not by.has_perm(MERGE_PERMISSION):
        raise PermissionDenied("Only an admin with the merge permission can merge charts.")
    reason = (reason or "").strip()
    if not says_something(reason):
        raise ValidationError({"reason": "Say why these two charts are one person (what you checked)."})
    try:
        with transaction.atomic():
            return _merge(duplicate_pk=duplicate.pk, survivor_pk=survivor.pk, by=by, reason=reason)
    except IntegrityError as error:
        # A rule the plan could not see (an expression index, a trigger): the transaction is undone.
        raise ValidationError(f"The database refused the merge, and nothing was changed: {error}") from error


def _merge(*, duplicate_pk: int, survivor_pk: int, by, reason: str) -> PatientMerge:
    # Both charts locked (in id order, so two merges cannot deadlock) and re-read before planning.
    charts = {
        chart.pk: chart
        for chart in Patient.objects.select_for_update().filter(pk__in=[duplicate_pk, survivor_pk]).order_by("pk")
    }
    duplicate, survivor = charts[duplicate_pk], charts[survivor_pk]
    plan = merge_plan(duplicate=duplicate, survivor=survivor)
    if plan.conflicts:
        raise ValidationError(plan.conflicts)
    had_active_episode = duplicate.episodes.filter(
        entered_in_error_at__isnull=True, status=EpisodeStatus.ACTIVE
    ).exists()
    change_reason = f"Merged from MRN {duplicate.mrn}"
    for move in plan.moving:
        rows = move.model._base_manager.filter(pk__in=move.ids)
        if hasattr(move.model, "history"):
            records_update_with_history(records=rows, by=by, reason=change_reason, **{move.field_name: survivor})
        else:
            # No history table (the outbox, TEDS identifiers): the ids moved are kept on the merge record.
            rows.update(**{move.field_name: survivor})

    if survivor.primary_clinician_id is None and duplicate.primary_clinician_id is not None:
        survivor.primary_clinician_id = duplicate.primary_clinician_id
    if had_active_episode:
        # The care going on now was recorded on the duplicate: its status is the patient's.
        survivor.status = duplicate.status
    survivor._change_reason = change_reason
    survivor.save()

    duplicate.merged_into = survivor
    duplicate.status = PatientStatus.MERGED
    duplicate.entered_in_error_at = timezone.now()
    duplicate.entered_in_error_by = by
    duplicate.entered_in_error_reason = f"Merged into MRN {survivor.mrn}: {reason}"
    duplicate._change_reason = f"Merged into MRN {survivor.mrn}"
    duplicate.save()

    merge = PatientMerge.objects.create(
        merged=duplicate,
        survivor=survivor,
        merged_by=by,
        reason=reason,
        moved={move.key: move.ids for move in plan.moving},
        kept={move.key: move.kept_ids for move in plan.staying},
    )
    detail = f"{plan.total_moving} records moved"
    for chart, action in ((duplicate, "chart merged into another"), (survivor, "chart merged from another")):
        access_log_record(
            request=None, user=by, category=DataCategory.DEMOGRAPHICS, action=action, patient=chart, detail=detail
        )
    # Outcome facts and whatever else the apps above keep per patient follow the records.
    records_changed(survivor, duplicate)
    return merge
