"""Foreign keys follow Program to the programs app; the referenced table is the same."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_privilegechange'),
        ('programs', '0001_initial'),
    ]

    operations = [
        # The tables stay where they are: only the migration state changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='user',
                    name='programs',
                    field=models.ManyToManyField(blank=True, related_name='staff', to='programs.program'),
                ),
            ],
        ),
    ]
