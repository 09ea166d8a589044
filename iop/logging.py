"""Logging filters: one event per line (OWASP ASVS 7.3.1), and no email addresses or phone numbers."""

import logging
import re

# Line and paragraph separators that log viewers also break lines on.
_LINE_BREAKS = str.maketrans({"\r": "\\r", "\n": "\\n", "\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\x85"})


def neutralize_line_breaks(text: str) -> str:
    return text.translate(_LINE_BREAKS)


class SingleLineFilter(logging.Filter):
    """Render the message now and escape CR/LF in it, so "\\r\\n" typed by a user stays on one line.

    Tracebacks are kept (they are multi-line by nature and never contain request data
    formatted by us); only the message itself is escaped.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = neutralize_line_breaks(message)
        record.args = None
        return True


# An email address, a phone number in E.164 ("+16175550142", as charts store them) or written
# with separators ("+1 617 555 0142", "(617) 555-0142", "617.555.0142"). Dates, times, ids and
# durations have other shapes, so they stay readable.
_EMAIL_ADDRESS = re.compile(r"[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PHONE_NUMBER = re.compile(
    r"""(?<![\w.+])
        (?: \+\d{8,15}                         # E.164
          | \+\d{1,3}(?:[\ .-]\(?\d{1,4}\)?){2,5}  # international, with separators
          | \(\d{3}\)\ ?\d{3}[\ .-]\d{4}           # (617) 555-0142
          | \d{3}[.-]\d{3}[.-]\d{4} )           # 617-555-0142, 617.555.0142
        (?!\w|\.\d)""",
    re.VERBOSE,
)
REDACTED_EMAIL = "[email]"
REDACTED_PHONE = "[phone]"


def redact_contact_details(text: str) -> str:
    return _PHONE_NUMBER.sub(REDACTED_PHONE, _EMAIL_ADDRESS.sub(REDACTED_EMAIL, text))


class NoContactDetailsFilter(logging.Filter):
    """Mask email addresses and phone numbers in the message and the traceback (HIPAA minimum necessary).

    Code logs ids, never a patient's details; this catches what a library puts in an exception
    ("Invalid address ...", "Recipient refused ...") or prints to a worker's redirected stdout.
    """

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_contact_details(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_contact_details(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_contact_details(record.stack_info)
        return True
