from .access import BreakGlassAccess
from .consents import Consent
from .coverage import Authorization, InsurancePolicy
from .discharge import AftercarePlan, AlumniCheckIn, Discharge
from .drug_tests import (
    Analyte,
    AnalyteResult,
    DrugTest,
    DrugTestResultSet,
    Panel,
    PanelAnalyte,
    ProgramClinicalPolicy,
    RandomDraw,
    SobrietyDate,
)
from .episodes import Episode, LevelOfCareChange
from .intake import AsamAssessment, Diagnosis, InstrumentResponse, Intake, SubstanceUse
from .medications import Medication
from .registry import CareTeamMember, Contact, Patient, PatientAlert

__all__ = [
    "AftercarePlan",
    "AlumniCheckIn",
    "Analyte",
    "AnalyteResult",
    "AsamAssessment",
    "Authorization",
    "BreakGlassAccess",
    "CareTeamMember",
    "Consent",
    "Contact",
    "Diagnosis",
    "Discharge",
    "DrugTest",
    "DrugTestResultSet",
    "Episode",
    "InstrumentResponse",
    "InsurancePolicy",
    "Intake",
    "LevelOfCareChange",
    "Medication",
    "Panel",
    "PanelAnalyte",
    "Patient",
    "PatientAlert",
    "ProgramClinicalPolicy",
    "RandomDraw",
    "SobrietyDate",
    "SubstanceUse",
]
