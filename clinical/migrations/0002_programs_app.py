"""Foreign keys follow Program to the programs app; the referenced table is the same."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clinical', '0001_initial'),
        ('programs', '0001_initial'),
    ]

    operations = [
        # The tables stay where they are: only the migration state changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='programdocumentationpolicy',
                    name='program',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='documentation_policy', to='programs.program'),
                ),
            ],
        ),
    ]
