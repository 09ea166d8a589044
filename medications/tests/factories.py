"""Medication factories."""

import factory

from accounts.tests.factories import PrescriberFactory
from medications.constants import CatalogueMedication, MedicationCategory, MedicationRoute, MedicationSource
from medications.models import Medication
from patients.tests.factories import PatientFactory, days_ago
from testing.models import Analyte


class MedicationFactory(factory.django.DjangoModelFactory):
    """Buprenorphine-naloxone from our prescriber, started a month ago; ``analytes=["buprenorphine"]`` by default."""

    class Meta:
        model = Medication
        skip_postgeneration_save = True

    patient = factory.SubFactory(PatientFactory)
    catalogue_code = CatalogueMedication.BUPRENORPHINE_NALOXONE
    name = "Buprenorphine-naloxone"
    category = MedicationCategory.MOUD
    dose = "16 mg"
    route = MedicationRoute.SUBLINGUAL
    frequency = "once daily"
    source = MedicationSource.OURS
    prescriber = factory.SubFactory(PrescriberFactory)
    start_date = factory.LazyFunction(lambda: days_ago(30))
    recorded_by = factory.SelfAttribute("prescriber")

    @factory.post_generation
    def analytes(self, create, extracted, **kwargs):
        codes = ["buprenorphine"] if extracted is None else extracted
        if create and codes:
            self.expected_analytes.set(Analyte.objects.filter(code__in=codes))
