from .access import BreakGlassAccess
from .consents import Consent
from .coverage import Authorization, InsurancePolicy
from .discharge import AftercarePlan, AlumniCheckIn, Discharge
from .episodes import Episode, LevelOfCareChange
from .intake import AsamAssessment, Diagnosis, InstrumentResponse, Intake, SubstanceUse
from .registry import CareTeamMember, Contact, Patient, PatientAlert

__all__ = [
    "AftercarePlan",
    "AlumniCheckIn",
    "AsamAssessment",
    "Authorization",
    "BreakGlassAccess",
    "CareTeamMember",
    "Consent",
    "Contact",
    "Diagnosis",
    "Discharge",
    "Episode",
    "InstrumentResponse",
    "InsurancePolicy",
    "Intake",
    "LevelOfCareChange",
    "Patient",
    "PatientAlert",
    "SubstanceUse",
]
