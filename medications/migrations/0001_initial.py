"""The medication list moves here from patients (issue 15): every table keeps its name."""

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('accounts', '0004_programs_app'),
        ('patients', '0008_programs_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables stay where they are: only the migration state changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalMedication_expected_analytes',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                    ],
                    options={
                        'verbose_name': 'HistoricalMedication_expected_analytes',
                        'db_table': 'patients_historicalmedication_expected_analytes',
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='Medication',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('entered_in_error_at', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('entered_in_error_reason', models.TextField(blank=True, editable=False)),
                        ('catalogue_code', models.CharField(blank=True, choices=[('buprenorphine', 'Buprenorphine (sublingual)'), ('buprenorphine_naloxone', 'Buprenorphine-naloxone'), ('buprenorphine_xr', 'Buprenorphine extended-release injection'), ('methadone', 'Methadone'), ('naltrexone_oral', 'Naltrexone (oral)'), ('naltrexone_xr', 'Naltrexone extended-release injection'), ('acamprosate', 'Acamprosate'), ('disulfiram', 'Disulfiram'), ('sertraline', 'Sertraline'), ('fluoxetine', 'Fluoxetine'), ('escitalopram', 'Escitalopram'), ('bupropion', 'Bupropion'), ('mirtazapine', 'Mirtazapine'), ('trazodone', 'Trazodone'), ('quetiapine', 'Quetiapine'), ('aripiprazole', 'Aripiprazole'), ('lamotrigine', 'Lamotrigine'), ('gabapentin', 'Gabapentin'), ('hydroxyzine', 'Hydroxyzine'), ('prazosin', 'Prazosin'), ('clonidine', 'Clonidine'), ('lorazepam', 'Lorazepam'), ('clonazepam', 'Clonazepam'), ('alprazolam', 'Alprazolam'), ('diazepam', 'Diazepam'), ('amphetamine_salts', 'Mixed amphetamine salts'), ('lisdexamfetamine', 'Lisdexamfetamine'), ('methylphenidate', 'Methylphenidate'), ('oxycodone', 'Oxycodone'), ('hydrocodone', 'Hydrocodone'), ('phenobarbital', 'Phenobarbital'), ('dronabinol', 'Dronabinol')], help_text='Pick a common medication, or leave empty and type the name.', max_length=40, verbose_name='From the list')),
                        ('name', models.CharField(max_length=120)),
                        ('category', models.CharField(choices=[('moud', 'Opioid use disorder (MOUD)'), ('aud', 'Alcohol use disorder'), ('psychiatric', 'Psychiatric'), ('other', 'Other')], default='other', max_length=20)),
                        ('dose', models.CharField(help_text='e.g. 16 mg, 380 mg, 50 mg', max_length=60)),
                        ('route', models.CharField(choices=[('oral', 'Oral'), ('sublingual', 'Sublingual'), ('buccal', 'Buccal film'), ('im', 'Intramuscular injection'), ('sc', 'Subcutaneous injection'), ('transdermal', 'Transdermal patch'), ('other', 'Other')], default='oral', max_length=20)),
                        ('frequency', models.CharField(help_text='e.g. once daily, every 4 weeks', max_length=60)),
                        ('source', models.CharField(choices=[('ours', 'Our prescriber'), ('outside', 'Outside prescriber'), ('otp', 'Opioid treatment program (OTP)')], default='ours', max_length=10)),
                        ('outside_prescriber', models.CharField(blank=True, help_text='Name and practice or program of an outside prescriber.', max_length=160)),
                        ('start_date', models.DateField(default=django.utils.timezone.localdate)),
                        ('stop_date', models.DateField(blank=True, null=True)),
                        ('stop_reason', models.CharField(blank=True, max_length=200)),
                        ('notes', models.TextField(blank=True)),
                    ],
                    options={
                        'db_table': 'patients_medication',
                        'ordering': ['stop_date', '-start_date', 'name'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalMedication',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('created_at', models.DateTimeField(blank=True, editable=False)),
                        ('updated_at', models.DateTimeField(blank=True, editable=False)),
                        ('entered_in_error_at', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('entered_in_error_reason', models.TextField(blank=True, editable=False)),
                        ('catalogue_code', models.CharField(blank=True, choices=[('buprenorphine', 'Buprenorphine (sublingual)'), ('buprenorphine_naloxone', 'Buprenorphine-naloxone'), ('buprenorphine_xr', 'Buprenorphine extended-release injection'), ('methadone', 'Methadone'), ('naltrexone_oral', 'Naltrexone (oral)'), ('naltrexone_xr', 'Naltrexone extended-release injection'), ('acamprosate', 'Acamprosate'), ('disulfiram', 'Disulfiram'), ('sertraline', 'Sertraline'), ('fluoxetine', 'Fluoxetine'), ('escitalopram', 'Escitalopram'), ('bupropion', 'Bupropion'), ('mirtazapine', 'Mirtazapine'), ('trazodone', 'Trazodone'), ('quetiapine', 'Quetiapine'), ('aripiprazole', 'Aripiprazole'), ('lamotrigine', 'Lamotrigine'), ('gabapentin', 'Gabapentin'), ('hydroxyzine', 'Hydroxyzine'), ('prazosin', 'Prazosin'), ('clonidine', 'Clonidine'), ('lorazepam', 'Lorazepam'), ('clonazepam', 'Clonazepam'), ('alprazolam', 'Alprazolam'), ('diazepam', 'Diazepam'), ('amphetamine_salts', 'Mixed amphetamine salts'), ('lisdexamfetamine', 'Lisdexamfetamine'), ('methylphenidate', 'Methylphenidate'), ('oxycodone', 'Oxycodone'), ('hydrocodone', 'Hydrocodone'), ('phenobarbital', 'Phenobarbital'), ('dronabinol', 'Dronabinol')], help_text='Pick a common medication, or leave empty and type the name.', max_length=40, verbose_name='From the list')),
                        ('name', models.CharField(max_length=120)),
                        ('category', models.CharField(choices=[('moud', 'Opioid use disorder (MOUD)'), ('aud', 'Alcohol use disorder'), ('psychiatric', 'Psychiatric'), ('other', 'Other')], default='other', max_length=20)),
                        ('dose', models.CharField(help_text='e.g. 16 mg, 380 mg, 50 mg', max_length=60)),
                        ('route', models.CharField(choices=[('oral', 'Oral'), ('sublingual', 'Sublingual'), ('buccal', 'Buccal film'), ('im', 'Intramuscular injection'), ('sc', 'Subcutaneous injection'), ('transdermal', 'Transdermal patch'), ('other', 'Other')], default='oral', max_length=20)),
                        ('frequency', models.CharField(help_text='e.g. once daily, every 4 weeks', max_length=60)),
                        ('source', models.CharField(choices=[('ours', 'Our prescriber'), ('outside', 'Outside prescriber'), ('otp', 'Opioid treatment program (OTP)')], default='ours', max_length=10)),
                        ('outside_prescriber', models.CharField(blank=True, help_text='Name and practice or program of an outside prescriber.', max_length=160)),
                        ('start_date', models.DateField(default=django.utils.timezone.localdate)),
                        ('stop_date', models.DateField(blank=True, null=True)),
                        ('stop_reason', models.CharField(blank=True, max_length=200)),
                        ('notes', models.TextField(blank=True)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('entered_in_error_by', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('patient', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='patients.patient')),
                        ('prescriber', models.ForeignKey(blank=True, db_constraint=False, help_text='Our prescriber.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('recorded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical medication',
                        'verbose_name_plural': 'historical medications',
                        'db_table': 'patients_historicalmedication',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
            ],
        ),
    ]
