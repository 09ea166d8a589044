from .configuration import Analyte, Panel, PanelAnalyte, ProgramClinicalPolicy
from .draws import RandomDraw
from .drug_tests import AnalyteResult, DrugTest, DrugTestResultSet, SobrietyDate

__all__ = [
    "Analyte",
    "AnalyteResult",
    "DrugTest",
    "DrugTestResultSet",
    "Panel",
    "PanelAnalyte",
    "ProgramClinicalPolicy",
    "RandomDraw",
    "SobrietyDate",
]
