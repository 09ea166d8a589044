"""Program now lives in the programs app (same table); scheduling forgets it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_programs_app'),
        ('clinical', '0002_programs_app'),
        ('patients', '0008_programs_app'),
        ('programs', '0001_initial'),
        ('scheduling', '0005_session_at_most_12_hours'),
    ]

    operations = [
        # The tables stay where they are: only the migration state changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(
                    model_name='program',
                    name='scheduling_program_band_ordered',
                ),
                migrations.RemoveConstraint(
                    model_name='program',
                    name='scheduling_program_band_in_range',
                ),
                migrations.RemoveConstraint(
                    model_name='program',
                    name='scheduling_program_hours_ordered',
                ),
                migrations.AlterField(
                    model_name='session',
                    name='program',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sessions', to='programs.program'),
                ),
                migrations.AlterField(
                    model_name='historicalsession',
                    name='program',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='programs.program'),
                ),
                migrations.AlterField(
                    model_name='group',
                    name='program',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='groups', to='programs.program'),
                ),
                migrations.AlterField(
                    model_name='historicalgroup',
                    name='program',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='programs.program'),
                ),
                migrations.DeleteModel(
                    name='Program',
                ),
            ],
        ),
    ]
