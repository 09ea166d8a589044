"""The chart's forms. Services do the saving."""

from .alerts import AlertAcknowledgeForm, AlertResolveForm
from .chart import (
    COMMON_SUD_CODES,
    AuthorizationForm,
    ConsentForm,
    ConsentSectionsForm,
    ContactForm,
    DiagnosisForm,
    InsurancePolicyForm,
    LevelOfCareChangeForm,
    ReasonForm,
    SubstanceUseForm,
)
from .intake import RATING_CHOICES, AdmitForm, AsamAssessmentForm, CloseIntakeForm, InstrumentForm, ReferralForm
from .registry import BreakGlassForm, PatientForm, PhoneCleaningMixin, clinicians

__all__ = [
    "COMMON_SUD_CODES",
    "RATING_CHOICES",
    "AdmitForm",
    "AlertAcknowledgeForm",
    "AlertResolveForm",
    "AsamAssessmentForm",
    "AuthorizationForm",
    "BreakGlassForm",
    "CloseIntakeForm",
    "ConsentForm",
    "ConsentSectionsForm",
    "ContactForm",
    "DiagnosisForm",
    "InstrumentForm",
    "InsurancePolicyForm",
    "LevelOfCareChangeForm",
    "PatientForm",
    "PhoneCleaningMixin",
    "ReasonForm",
    "ReferralForm",
    "SubstanceUseForm",
    "clinicians",
]
