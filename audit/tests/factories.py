"""Audit factories: rows are written through the services, as the application writes them."""

import factory

from accounts.tests.factories import CounselorFactory
from audit.constants import DataCategory, DisclosureSection, Outcome
from audit.services import access_log_record, disclosure_record
from patients.tests.factories import Part2DisclosureConsentFactory, PatientFactory


class AccessLogFactory(factory.Factory):
    """``AccessLogFactory(user=..., patient=...)``: one chained row, as a view would write it."""

    class Meta:
        model = dict

    user = factory.SubFactory(CounselorFactory)
    patient = factory.SubFactory(PatientFactory)
    category = DataCategory.DEMOGRAPHICS
    action = "chart overview"
    outcome = Outcome.ALLOWED
    detail = ""

    @classmethod
    def _create(cls, model_class, **kwargs):
        return access_log_record(request=None, **kwargs)

    _build = _create


class DisclosureFactory(factory.Factory):
    """A disclosure under a valid Part 2 consent, made through ``disclosure_record``."""

    class Meta:
        model = dict

    consent = factory.SubFactory(Part2DisclosureConsentFactory)
    patient = factory.SelfAttribute("consent.patient")
    recipient = factory.SelfAttribute("consent.recipient")
    purpose = factory.SelfAttribute("consent.purpose")
    sections = factory.LazyFunction(lambda: [DisclosureSection.DIAGNOSES, DisclosureSection.EPISODES])
    disclosed_by = factory.SubFactory(CounselorFactory)

    @classmethod
    def _create(cls, model_class, **kwargs):
        return disclosure_record(**kwargs)

    _build = _create
