"""A hand-written RFC 5545 calendar: text escaped (§3.3.11) and lines folded at 75 octets (§3.1)."""

import datetime as dt
from collections.abc import Iterable


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into 75-octet pieces, continuing with CRLF and a space, never inside a character."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    pieces, current, limit = [], b"", 75
    for char in line:
        char_bytes = char.encode()
        if len(current) + len(char_bytes) > limit:
            pieces.append(current.decode())
            current, limit = b"", 74  # continuation lines start with a space
        current += char_bytes
    pieces.append(current.decode())
    return "\r\n ".join(pieces)


def utc_stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(events: Iterable[dict], *, name: str, domain: str) -> str:
    """Each event: uid, start, end, summary, location, status, updated."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//IOP clinic//Schedule//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    now = utc_stamp(dt.datetime.now(dt.UTC))
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event['uid']}@{domain}",
            f"DTSTAMP:{now}",
            f"LAST-MODIFIED:{utc_stamp(event['updated'])}",
            f"DTSTART:{utc_stamp(event['start'])}",
            f"DTEND:{utc_stamp(event['end'])}",
            f"SUMMARY:{escape_text(event['summary'])}",
            f"LOCATION:{escape_text(event['location'])}",
            f"STATUS:{event['status']}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"
