"""Text normalisation shared by storage and search, so both sides agree."""

import re
import unicodedata

NON_DIGITS = re.compile(r"\D+")


def fold(text: str) -> str:
    """Lower-case and strip accents: "José Núñez" → "jose nunez"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def digits(text: str) -> str:
    return NON_DIGITS.sub("", text or "")
