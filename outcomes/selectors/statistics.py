"""The arithmetic of the outcomes page: rates, means, medians and the Kaplan–Meier retention curve."""

from collections import defaultdict


def rate_of(numerator, denominator) -> float | None:
    """A percentage to one decimal, or None when there is nothing to count."""
    return round(100 * numerator / denominator, 1) if denominator else None


def mean_of(total, count) -> float | None:
    return round(total / count, 1) if count else None


def median(histogram: dict[int, int]) -> float | None:
    """The median of values given as value → how many."""
    total = sum(histogram.values())
    if not total:
        return None
    middle = []
    seen = 0
    for value in sorted(histogram):
        for position in (total // 2, (total - 1) // 2):
            if seen <= position < seen + histogram[value] and len(middle) < 2:
                middle.append(value)
        seen += histogram[value]
    return sum(middle[:2]) / len(middle[:2]) if len(middle) > 1 else float(middle[0])


def kaplan_meier(times: dict[tuple[int, bool], int], horizon: int) -> list[float | None]:
    """Share still in treatment at each day 0..horizon, by the product-limit estimate.

    ``times`` maps (days in treatment, discharged?) to how many: a discharge on day d is an event;
    a patient still active after d days is censored there (Kaplan & Meier 1958).
    """
    at_risk = sum(times.values())
    if not at_risk:
        return [None] * (horizon + 1)
    by_day: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for (days, left), count in times.items():
        by_day[days][0 if left else 1] += count
    survival, curve = 1.0, []
    for day in range(horizon + 1):
        events, censored = by_day.get(day, (0, 0))
        if at_risk and events:
            survival *= 1 - events / at_risk
        curve.append(round(100 * survival, 1))
        at_risk -= events + censored
    return curve
