"""Logging filters: one event per line, so user input cannot forge log entries (OWASP ASVS 7.3.1)."""

import logging

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
