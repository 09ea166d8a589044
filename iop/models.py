"""The abstract base models every table in the project builds on, and history for moved models."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .hooks import records_changed


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True


class ClinicalRecordQuerySet(models.QuerySet):
    def valid(self):
        """Rows not marked entered-in-error: what normal views show."""
        return self.filter(entered_in_error_at__isnull=True)

    def delete(self):
        raise ValidationError("Clinical records are never deleted; mark them entered in error instead.")


class ClinicalRecord(TimeStampedModel):
    """A clinical record: never hard-deleted, marked *entered in error* with a reason."""

    entered_in_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    entered_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )
    entered_in_error_reason = models.TextField(blank=True, editable=False)

    objects = ClinicalRecordQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_entered_in_error(self) -> bool:
        return self.entered_in_error_at is not None

    def delete(self, *args, **kwargs):
        raise ValidationError("Clinical records are never deleted; mark them entered in error instead.")

    def mark_entered_in_error(self, *, by, reason: str) -> None:
        if not reason.strip():
            raise ValidationError({"entered_in_error_reason": "Say why this record was entered in error."})
        self.entered_in_error_at = timezone.now()
        self.entered_in_error_by = by
        self.entered_in_error_reason = reason.strip()
        self.save(update_fields=["entered_in_error_at", "entered_in_error_by", "entered_in_error_reason", "updated_at"])
        # What other apps derive from this record (outcome facts) follows the correction.
        records_changed(self)


class MovedModelHistory(HistoricalRecords):
    """django-simple-history for a model moved from another app: its history tables keep their names.

    A moved model keeps its table (``Meta.db_table``); this keeps ``<old app>_historical<model>``
    and, for tracked many-to-many fields, ``<old app>_historical<model>_<field>`` too.
    """

    def __init__(self, *args, moved_from: str, **kwargs):
        self.moved_from = moved_from
        super().__init__(*args, **kwargs)

    def create_history_model(self, model, inherited):
        if self.table_name is None:
            self.table_name = f"{self.moved_from}_historical{model._meta.model_name}"
        return super().create_history_model(model, inherited)

    def get_meta_options_m2m(self, through_model):
        options = super().get_meta_options_m2m(through_model)
        options["db_table"] = f"{self.moved_from}_{self.get_history_model_name(through_model).lower()}"
        return options
