"""Programs name their ASAM level; the weekly hours band is half-open and must fit the level (issue 11).

Existing programs are IOPs (2.1). A band that strays outside 2.1's range for its age group
(adults 9–20, adolescents 6–20) is pulled inside it; one left empty by that becomes the default.
"""

import django.core.validators
from decimal import Decimal
from django.db import migrations, models

FLOOR = {"adult": Decimal("9"), "adolescent": Decimal("6")}
CEILING = Decimal("20")


def bands_inside_level_2_1(apps, schema_editor):
    Program = apps.get_model("programs", "Program")
    for program in Program.objects.all():
        floor = FLOOR.get(program.population, FLOOR["adult"])
        low = min(max(program.min_weekly_hours, floor), CEILING)
        high = min(max(program.max_weekly_hours, floor), CEILING)
        if low >= high:
            low, high = floor, CEILING
        if (low, high) != (program.min_weekly_hours, program.max_weekly_hours):
            Program.objects.filter(pk=program.pk).update(min_weekly_hours=low, max_weekly_hours=high)


class Migration(migrations.Migration):

    dependencies = [
        ('programs', '0001_initial'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='program',
            name='programs_program_band_ordered',
        ),
        migrations.AddField(
            model_name='program',
            name='level_of_care',
            field=models.CharField(choices=[('1.0', '1.0 Outpatient'), ('1.5', '1.5 Outpatient therapy'), ('1.7', '1.7 Medically managed outpatient'), ('2.1', '2.1 Intensive outpatient'), ('2.5', '2.5 Partial hospitalization'), ('2.7', '2.7 Medically managed intensive outpatient')], default='2.1', help_text='The ASAM level the program delivers; its weekly hours band must fit the level.', max_length=4),
        ),
        migrations.RunPython(bands_inside_level_2_1, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='program',
            name='max_weekly_hours',
            field=models.DecimalField(blank=True, decimal_places=1, help_text="Fewer than this many hours a week (20 or more is partial hospitalization). Leave empty for the level's default.", max_digits=4, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('40'))]),
        ),
        migrations.AlterField(
            model_name='program',
            name='min_weekly_hours',
            field=models.DecimalField(blank=True, decimal_places=1, help_text="At least this many hours a week. Leave empty for the level's default.", max_digits=4, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('40'))]),
        ),
        migrations.AddConstraint(
            model_name='program',
            constraint=models.CheckConstraint(condition=models.Q(('min_weekly_hours__lt', models.F('max_weekly_hours'))), name='programs_program_band_ordered', violation_error_message='The weekly maximum must be more than the minimum.'),
        ),
        migrations.AddConstraint(
            model_name='program',
            constraint=models.CheckConstraint(condition=models.Q(('level_of_care__in', ('1.0', '1.5', '1.7', '2.1', '2.5', '2.7'))), name='programs_program_outpatient_level', violation_error_message='A program runs an outpatient level (1.0 to 2.7).'),
        ),
        migrations.AddConstraint(
            model_name='program',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('level_of_care__in', ('1.0', '1.5', '1.7', '2.1', '2.5', '2.7')), _negated=True), models.Q(('level_of_care', '1.0'), ('min_weekly_hours__gte', Decimal('0')), ('population', 'adult'), ('max_weekly_hours__lte', Decimal('9'))), models.Q(('level_of_care', '1.0'), ('min_weekly_hours__gte', Decimal('0')), ('population', 'adolescent'), ('max_weekly_hours__lte', Decimal('6'))), models.Q(('level_of_care', '1.5'), ('min_weekly_hours__gte', Decimal('0')), ('population', 'adult'), ('max_weekly_hours__lte', Decimal('9'))), models.Q(('level_of_care', '1.5'), ('min_weekly_hours__gte', Decimal('0')), ('population', 'adolescent'), ('max_weekly_hours__lte', Decimal('6'))), models.Q(('level_of_care', '1.7'), ('min_weekly_hours__gte', Decimal('0')), ('population', 'adult'), ('max_weekly_hours__lte', Decimal('9'))), models.Q(('level_of_care', '1.7'), ('min_weekly_hours__gte', Decimal('0')), ('population', 'adolescent'), ('max_weekly_hours__lte', Decimal('6'))), models.Q(('level_of_care', '2.1'), ('min_weekly_hours__gte', Decimal('9')), ('population', 'adult'), ('max_weekly_hours__lte', Decimal('20'))), models.Q(('level_of_care', '2.1'), ('min_weekly_hours__gte', Decimal('6')), ('population', 'adolescent'), ('max_weekly_hours__lte', Decimal('20'))), models.Q(('level_of_care', '2.5'), ('min_weekly_hours__gte', Decimal('20')), ('population', 'adult')), models.Q(('level_of_care', '2.5'), ('min_weekly_hours__gte', Decimal('20')), ('population', 'adolescent')), models.Q(('level_of_care', '2.7'), ('min_weekly_hours__gte', Decimal('9')), ('population', 'adult')), models.Q(('level_of_care', '2.7'), ('min_weekly_hours__gte', Decimal('6')), ('population', 'adolescent')), _connector='OR'), name='programs_program_band_fits_level', violation_error_message="The weekly hours band does not fit the program's level and age group."),
        ),
    ]
