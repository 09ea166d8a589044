"""Checks on free text that must say something (a resolution note, a reason)."""

import re

WORD = re.compile(r"[^\W\d_]{2,}")


def says_something(text: str, *, min_length: int = 20, min_words: int = 3) -> bool:
    """At least ``min_length`` characters and ``min_words`` words of letters: "." or "ok ok" is not a note."""
    text = (text or "").strip()
    return len(text) >= min_length and len(WORD.findall(text)) >= min_words
