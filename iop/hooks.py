"""Hooks between apps: a lower app says what its services did, the apps above it register what follows.

A service in patients, scheduling, testing or aftercare cannot import the apps above it (README,
Layout). It names what it changed or where its flow stands, and apps higher up register handlers
from their ``AppConfig.ready`` (outcomes keeps its facts current and adds its forms to the
admission, discharge and check-in flows this way). With nothing registered, nothing happens.

- ``records_changed(*records)``: every handler registered for the records' model runs, inside the
  caller's transaction, so what it keeps in step is saved with the change or not at all.
- ``follow_on_url(step, record, then=...)``: the page a flow goes to next, if an app asks for one.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable

CHANGE_HANDLERS: dict[str, list[Callable[[list], None]]] = defaultdict(list)
FOLLOW_ON_HANDLERS: dict[str, list[Callable[..., str | None]]] = defaultdict(list)


def register_change_handler(model_label: str, handler: Callable[[list], None]) -> None:
    """``handler(records)`` runs whenever a service says records of ``model_label`` ("app.model") changed."""
    if handler not in CHANGE_HANDLERS[model_label.lower()]:
        CHANGE_HANDLERS[model_label.lower()].append(handler)


def records_changed(*records) -> None:
    """Tell the apps above that these records were written, corrected or marked entered in error."""
    by_label: dict[str, list] = defaultdict(list)
    for record in _flatten(records):
        by_label[record._meta.label_lower].append(record)
    for label, changed in by_label.items():
        for handler in CHANGE_HANDLERS.get(label, ()):
            handler(changed)


def _flatten(records: Iterable) -> Iterable:
    for record in records:
        if isinstance(record, (list, tuple, set)):
            yield from _flatten(record)
        elif record is not None:
            yield record


def register_follow_on(step: str, handler: Callable[..., str | None]) -> None:
    """``handler(record, then=url)`` returns the page to go to after ``step`` (or None to carry on)."""
    if handler not in FOLLOW_ON_HANDLERS[step]:
        FOLLOW_ON_HANDLERS[step].append(handler)


def follow_on_url(step: str, record, *, then: str) -> str | None:
    """The first page an app asks for after ``step``; it sends the user on to ``then`` when done."""
    for handler in FOLLOW_ON_HANDLERS.get(step, ()):
        url = handler(record, then=then)
        if url:
            return url
    return None
