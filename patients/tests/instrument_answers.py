"""Answer sets that reach a given total, for the scoring tests."""

from functools import cache

from patients.instruments import (
    DAST10_REVERSED,
    SPECS,
    Instrument,
)

DEFAULT_CIWA_BANDS = [(0, "minimal"), (10, "mild to moderate"), (16, "severe")]


TOTAL_SCORED = [code for code, spec in SPECS.items() if spec.max_score is not None]


@cache
def reachable_totals(instrument: str) -> tuple[frozenset[int], ...]:
    """reachable[i]: every sum the items from index i to the end can make."""
    items = SPECS[instrument].items
    reachable = [frozenset({0})]
    for item in reversed(items):
        reachable.insert(0, frozenset(v + rest for v in item.allowed for rest in reachable[0]))
    return tuple(reachable)


def answers_for(instrument: str, total: int) -> list[int]:
    """Answers using only allowed item values whose plain sum is exactly ``total``."""
    items = SPECS[instrument].items
    reachable = reachable_totals(instrument)
    assert total in reachable[0], f"{instrument} cannot reach {total}"
    answers, remaining = [], total
    for index, item in enumerate(items):
        value = max(v for v in item.allowed if remaining - v in reachable[index + 1])
        answers.append(value)
        remaining -= value
    assert remaining == 0
    return answers


def dast_answers_for(total: int) -> list[int]:
    """DAST-10 answers whose score (item 3 reversed) is ``total``."""
    scored = answers_for(Instrument.DAST10, total)
    return [1 - v if number in DAST10_REVERSED else v for number, v in enumerate(scored, start=1)]


def expected_score(instrument: str, answers: list[int]) -> int:
    if instrument == Instrument.DAST10:
        return sum(1 - v if n in DAST10_REVERSED else v for n, v in enumerate(answers, start=1))
    return sum(answers)
