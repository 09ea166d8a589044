"""Foreign keys follow Program to the programs app; the referenced table is the same."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('patients', '0007_patient_search_trigram'),
        ('programs', '0001_initial'),
    ]

    operations = [
        # The tables stay where they are: only the migration state changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='episode',
                    name='program',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='episodes', to='programs.program'),
                ),
                migrations.AlterField(
                    model_name='historicalepisode',
                    name='program',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='programs.program'),
                ),
                migrations.AlterField(
                    model_name='historicalprogramclinicalpolicy',
                    name='program',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='programs.program'),
                ),
                migrations.AlterField(
                    model_name='programclinicalpolicy',
                    name='program',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='clinical_policy', to='programs.program'),
                ),
                migrations.AlterField(
                    model_name='randomdraw',
                    name='program',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='random_draws', to='programs.program'),
                ),
            ],
        ),
    ]
