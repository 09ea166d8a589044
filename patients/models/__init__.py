from .access import BreakGlassAccess
from .consents import Consent
from .coverage import Authorization, InsurancePolicy
from .episodes import Episode, LevelOfCareChange
from .intake import AsamAssessment, Diagnosis, InstrumentResponse, Intake, SubstanceUse
from .registry import CareTeamMember, Contact, DuplicateOverride, Patient, PatientAlert, PatientMerge

__all__ = [
    "AsamAssessment",
    "Authorization",
    "BreakGlassAccess",
    "CareTeamMember",
    "Consent",
    "Contact",
    "Diagnosis",
    "DuplicateOverride",
    "Episode",
    "InstrumentResponse",
    "InsurancePolicy",
    "Intake",
    "LevelOfCareChange",
    "Patient",
    "PatientAlert",
    "PatientMerge",
    "SubstanceUse",
]
