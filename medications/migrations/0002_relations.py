"""The medication list's relations, its constraints under this app's prefix, and its content types."""

import django.db.models.deletion
from django.conf import settings
from iop.migration_operations import MoveContentTypes, RenameConstraints
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('medications', '0001_initial'),
        ('patients', '0008_programs_app'),
        ('testing', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables stay where they are: only the migration state changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name='historicalmedication_expected_analytes',
                    name='analyte',
                    field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='testing.analyte'),
                ),
                migrations.AddField(
                    model_name='historicalmedication_expected_analytes',
                    name='history',
                    field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='medications.historicalmedication'),
                ),
                migrations.AddField(
                    model_name='medication',
                    name='entered_in_error_by',
                    field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddField(
                    model_name='medication',
                    name='expected_analytes',
                    field=models.ManyToManyField(blank=True, db_table='patients_medication_expected_analytes', help_text='What a drug screen should show while the patient takes this as prescribed.', related_name='+', to='testing.analyte'),
                ),
                migrations.AddField(
                    model_name='medication',
                    name='patient',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='medications', to='patients.patient'),
                ),
                migrations.AddField(
                    model_name='medication',
                    name='prescriber',
                    field=models.ForeignKey(blank=True, help_text='Our prescriber.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='prescriptions', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddField(
                    model_name='medication',
                    name='recorded_by',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddField(
                    model_name='historicalmedication_expected_analytes',
                    name='medication',
                    field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='medications.medication'),
                ),
                migrations.AddIndex(
                    model_name='medication',
                    index=models.Index(fields=['patient', 'start_date', 'stop_date'], name='patients_medication_active'),
                ),
                migrations.AddConstraint(
                    model_name='medication',
                    constraint=models.CheckConstraint(condition=models.Q(('stop_date__isnull', True), ('stop_date__gte', models.F('start_date')), _connector='OR'), name='medications_medication_dates_ordered', violation_error_message='The stop date cannot come before the start date.'),
                ),
                migrations.AddConstraint(
                    model_name='medication',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('prescriber__isnull', False), ('source', 'ours')), models.Q(models.Q(('source', 'ours'), _negated=True), models.Q(('outside_prescriber', ''), _negated=True)), _connector='OR'), name='medications_medication_prescriber_named', violation_error_message='Name the prescriber: one of ours, or the outside prescriber or program.'),
                ),
                migrations.AddConstraint(
                    model_name='medication',
                    constraint=models.CheckConstraint(condition=models.Q(('name', ''), _negated=True), name='medications_medication_named', violation_error_message="Give the medication's name."),
                ),
            ],
        ),
        RenameConstraints(model_name="medication", old_prefix="patients_medication_", new_prefix="medications_medication_"),
        MoveContentTypes(from_app="patients", to_app="medications", models=["medication", "historicalmedication", "historicalmedication_expected_analytes"]),
    ]
