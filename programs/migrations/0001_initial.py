"""Program moves here from scheduling (issue 15): its table, scheduling_program, stays as it is."""

import datetime
import django.core.validators
import programs.validators
from decimal import Decimal
from iop.migration_operations import MoveContentTypes, RenameConstraints
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        # After the roles migration, which makes content types (and permissions) as the state then stood.
        ('accounts', '0003_privilegechange'),
        ('scheduling', '0005_session_at_most_12_hours'),
    ]

    operations = [
        # The tables stay where they are: only the migration state changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Program',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('name', models.CharField(max_length=120, unique=True)),
                        ('code', models.SlugField(max_length=40, unique=True)),
                        ('population', models.CharField(choices=[('adult', 'Adults'), ('adolescent', 'Adolescents')], default='adult', max_length=20)),
                        ('description', models.TextField(blank=True)),
                        ('min_weekly_hours', models.DecimalField(decimal_places=1, default=Decimal('9'), max_digits=4, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('40'))])),
                        ('max_weekly_hours', models.DecimalField(decimal_places=1, default=Decimal('20'), max_digits=4, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('40'))])),
                        ('typical_length_weeks', models.PositiveSmallIntegerField(default=12)),
                        ('plan_review_days', models.PositiveSmallIntegerField(default=30, help_text='Treatment plan review cadence.')),
                        ('note_signing_limit_hours', models.PositiveSmallIntegerField(default=24)),
                        ('meeting_days', models.CharField(default='MO,TU,TH', help_text='RFC 5545 weekday codes, e.g. MO,WE,TH (IOPs meet 3–5 days a week).', max_length=20, validators=[programs.validators.validate_meeting_days])),
                        ('day_starts_at', models.TimeField(default=datetime.time(18, 0), help_text='Clinic local time.')),
                        ('day_ends_at', models.TimeField(default=datetime.time(21, 0), help_text='Clinic local time.')),
                        ('is_active', models.BooleanField(default=True)),
                    ],
                    options={
                        'db_table': 'scheduling_program',
                        'ordering': ['name'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('day_ends_at__gt', models.F('day_starts_at'))), name='programs_program_hours_ordered', violation_error_message='The program day must end after it starts.'), models.CheckConstraint(condition=models.Q(('min_weekly_hours__lte', models.F('max_weekly_hours'))), name='programs_program_band_ordered', violation_error_message='The weekly minimum must not exceed the maximum.'), models.CheckConstraint(condition=models.Q(('max_weekly_hours__lte', 40), ('min_weekly_hours__gte', 0)), name='programs_program_band_in_range', violation_error_message='Weekly hours must lie between 0 and 40.')],
                    },
                ),
            ],
        ),
        RenameConstraints(model_name="program", old_prefix="scheduling_program_", new_prefix="programs_program_"),
        MoveContentTypes(from_app="scheduling", to_app="programs", models=["program"]),
    ]
