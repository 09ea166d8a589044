from .access_log import AccessLog, AppendOnlyError
from .disclosures import Disclosure

__all__ = ["AccessLog", "AppendOnlyError", "Disclosure"]
