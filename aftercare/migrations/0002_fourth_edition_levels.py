"""The next level of care offers the ASAM 4th edition's levels too (choices only; issue 11)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('aftercare', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='discharge',
            name='next_level_of_care',
            field=models.CharField(blank=True, choices=[('1.0', '1.0 Outpatient'), ('1.5', '1.5 Outpatient therapy'), ('1.7', '1.7 Medically managed outpatient'), ('2.1', '2.1 Intensive outpatient'), ('2.5', '2.5 Partial hospitalization'), ('2.7', '2.7 Medically managed intensive outpatient'), ('3.1', '3.1 Clinically managed low-intensity residential'), ('3.5', '3.5 Clinically managed high-intensity residential'), ('3.7', '3.7 Medically monitored intensive inpatient'), ('4.0', '4.0 Medically managed intensive inpatient')], help_text='For a step-down or step-up: the level of care the patient goes on to.', max_length=4),
        ),
        migrations.AlterField(
            model_name='historicaldischarge',
            name='next_level_of_care',
            field=models.CharField(blank=True, choices=[('1.0', '1.0 Outpatient'), ('1.5', '1.5 Outpatient therapy'), ('1.7', '1.7 Medically managed outpatient'), ('2.1', '2.1 Intensive outpatient'), ('2.5', '2.5 Partial hospitalization'), ('2.7', '2.7 Medically managed intensive outpatient'), ('3.1', '3.1 Clinically managed low-intensity residential'), ('3.5', '3.5 Clinically managed high-intensity residential'), ('3.7', '3.7 Medically monitored intensive inpatient'), ('4.0', '4.0 Medically managed intensive inpatient')], help_text='For a step-down or step-up: the level of care the patient goes on to.', max_length=4),
        ),
    ]
