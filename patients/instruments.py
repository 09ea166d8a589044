"""Standard screening and measurement instruments: items, scoring and published bands.

Pure Python (no database) so every cut-off can be tested on both sides. Sources:
- PHQ-9: Kroenke, Spitzer & Williams 2001 (J Gen Intern Med 16:606).
- GAD-7: Spitzer et al. 2006 (Arch Intern Med 166:1092).
- AUDIT / AUDIT-C: WHO, Babor et al. 2001; Bradley et al. 2007 for AUDIT-C thresholds.
- DAST-10: Skinner 1982; item 3 is reverse-scored.
- BAM: VA Brief Addiction Monitor, Cacciola et al. 2013 (use, risk, protective subscales).
- COWS: Wesson & Ling 2003 (J Psychoactive Drugs 35:253).
- CIWA-Ar: Sullivan et al. 1989; cut-offs vary between sources, so they come from
  ``settings.CIWA_AR_BANDS``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models


class Instrument(models.TextChoices):
    PHQ9 = "phq9", "PHQ-9"
    GAD7 = "gad7", "GAD-7"
    AUDIT = "audit", "AUDIT"
    AUDITC = "auditc", "AUDIT-C"
    DAST10 = "dast10", "DAST-10"
    BAM = "bam", "BAM"
    COWS = "cows", "COWS"
    CIWAAR = "ciwaar", "CIWA-Ar"


FREQUENCY_2W = ((0, "Not at all"), (1, "Several days"), (2, "More than half the days"), (3, "Nearly every day"))
YES_NO = ((0, "No"), (1, "Yes"))
DAYS_30 = ((0, "0 days"), (1, "1–3 days"), (2, "4–8 days"), (3, "9–15 days"), (4, "16–30 days"))
AGREE_5 = ((0, "Not at all"), (1, "Slightly"), (2, "Moderately"), (3, "Considerably"), (4, "Extremely"))


@dataclass(frozen=True)
class Item:
    number: int
    text: str
    options: tuple[tuple[int, str], ...]

    @property
    def allowed(self) -> frozenset[int]:
        return frozenset(value for value, _ in self.options)


def scale(values: Sequence[int], *labels: str) -> tuple[tuple[int, str], ...]:
    """Options for an observer-rated item: each allowed value with an optional anchor label."""
    return tuple((value, f"{value} — {labels[i]}" if i < len(labels) else str(value)) for i, value in enumerate(values))


@dataclass(frozen=True)
class Spec:
    code: str
    title: str
    description: str
    items: tuple[Item, ...]
    max_score: int | None

    @property
    def item_count(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class Result:
    score: int | None
    band: str
    subscales: dict[str, int] = field(default_factory=dict)
    is_positive: bool = False
    safety_alert: bool = False


class IncompleteInstrument(ValueError):
    """Raised with ``errors``: item number → message, for every missing or invalid item."""

    def __init__(self, errors: dict[int, str]):
        self.errors = errors
        missing = sorted(number for number, message in errors.items() if message == "Answer this item.")
        summary = f"items {', '.join(map(str, missing))} not answered" if missing else "some answers are out of range"
        super().__init__(f"Incomplete instrument: {summary}.")


def band_for(score: int, bands: Sequence[tuple[int, str]]) -> str:
    """``bands`` lists (lowest score, label) in ascending order."""
    label = bands[0][1]
    for lowest, name in bands:
        if score >= lowest:
            label = name
    return label


def _items(texts: Sequence[str], options) -> tuple[Item, ...]:
    return tuple(Item(number, text, options) for number, text in enumerate(texts, start=1))


PHQ9_ITEMS = _items(
    [
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself, or that you are a failure or have let yourself or your family down",
        "Trouble concentrating on things",
        "Moving or speaking slowly, or being fidgety or restless",
        "Thoughts that you would be better off dead, or of hurting yourself",
    ],
    FREQUENCY_2W,
)
GAD7_ITEMS = _items(
    [
        "Feeling nervous, anxious, or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid, as if something awful might happen",
    ],
    FREQUENCY_2W,
)
AUDIT_FREQ = (
    (0, "Never"),
    (1, "Monthly or less"),
    (2, "2–4 times a month"),
    (3, "2–3 times a week"),
    (4, "4+ times a week"),
)
AUDIT_QTY = ((0, "1 or 2"), (1, "3 or 4"), (2, "5 or 6"), (3, "7 to 9"), (4, "10 or more"))
AUDIT_OFTEN = ((0, "Never"), (1, "Less than monthly"), (2, "Monthly"), (3, "Weekly"), (4, "Daily or almost daily"))
AUDIT_YEAR = ((0, "No"), (2, "Yes, but not in the last year"), (4, "Yes, during the last year"))
AUDIT_ITEMS = (
    Item(1, "How often do you have a drink containing alcohol?", AUDIT_FREQ),
    Item(2, "How many drinks containing alcohol do you have on a typical day when drinking?", AUDIT_QTY),
    Item(3, "How often do you have six or more drinks on one occasion?", AUDIT_OFTEN),
    Item(4, "How often in the last year have you found you were not able to stop drinking once started?", AUDIT_OFTEN),
    Item(5, "How often in the last year have you failed to do what was expected because of drinking?", AUDIT_OFTEN),
    Item(6, "How often in the last year have you needed a first drink in the morning?", AUDIT_OFTEN),
    Item(7, "How often in the last year have you had a feeling of guilt or remorse after drinking?", AUDIT_OFTEN),
    Item(8, "How often in the last year have you been unable to remember the night before?", AUDIT_OFTEN),
    Item(9, "Have you or someone else been injured because of your drinking?", AUDIT_YEAR),
    Item(10, "Has anyone been concerned about your drinking or suggested you cut down?", AUDIT_YEAR),
)
DAST10_ITEMS = _items(
    [
        "Used drugs other than those required for medical reasons",
        "Used more than one drug at a time",
        "Always able to stop using drugs when you want to",
        "Had blackouts or flashbacks as a result of drug use",
        "Ever feel bad or guilty about your drug use",
        "Spouse or parents ever complain about your involvement with drugs",
        "Neglected your family because of your use of drugs",
        "Engaged in illegal activities in order to obtain drugs",
        "Experienced withdrawal symptoms when you stopped taking drugs",
        "Had medical problems as a result of drug use",
    ],
    YES_NO,
)
DAST10_REVERSED = frozenset({3})
HEALTH_5 = ((0, "Excellent"), (1, "Very good"), (2, "Good"), (3, "Fair"), (4, "Poor"))
INCOME = ((0, "No"), (4, "Yes"))
BAM_ITEMS = (
    Item(1, "In general, how would you say your physical health is?", HEALTH_5),
    Item(2, "Nights you had trouble falling asleep or staying asleep", DAYS_30),
    Item(3, "Days you felt depressed, anxious, angry or very upset", DAYS_30),
    Item(4, "Days you drank any alcohol", DAYS_30),
    Item(5, "Days you had at least 5 drinks (men) or 4 drinks (women)", DAYS_30),
    Item(6, "Days you used illegal or street drugs or misused prescription medications", DAYS_30),
    Item(7, "Days you used any drug (recorded, not scored)", DAYS_30),
    Item(8, "How much were you bothered by cravings or urges to drink alcohol or use drugs?", AGREE_5),
    Item(9, "How confident are you in your ability to be completely abstinent next 30 days?", AGREE_5),
    Item(10, "Days you attended self-help meetings like AA or NA to support your recovery", DAYS_30),
    Item(11, "Days you were in any situations or with any people that might put you at risk", DAYS_30),
    Item(12, "Does your religion or spirituality help support your recovery?", AGREE_5),
    Item(13, "Days you spent much of the time at work, school, or doing volunteer work", DAYS_30),
    Item(14, "Do you have enough income (from legal sources) to pay for necessities?", INCOME),
    Item(15, "How much have you been bothered by arguments or problems getting along with family or friends?", AGREE_5),
    Item(16, "Days you were in contact or spent time with family or friends supportive of your recovery", DAYS_30),
    Item(17, "How satisfied are you with your progress toward achieving your recovery goals?", AGREE_5),
)
# BAM subscales (Cacciola et al. 2013). Item 7 is descriptive and not scored.
BAM_SUBSCALES = {
    "use": (4, 5, 6),
    "risk": (1, 2, 3, 8, 11, 15),
    "protective": (9, 10, 12, 13, 14, 16),
}
COWS_ITEMS = (
    Item(1, "Resting pulse rate", scale((0, 1, 2, 4), "≤80", "81–100", "101–120", ">120")),
    Item(2, "Sweating", scale((0, 1, 2, 3, 4), "none", "barely", "beads on brow", "", "streaming")),
    Item(3, "Restlessness", scale((0, 1, 3, 5), "sits still", "some difficulty", "frequent shifting", "can't sit")),
    Item(4, "Pupil size", scale((0, 1, 2, 5), "normal", "possibly larger", "moderately dilated", "very dilated")),
    Item(5, "Bone or joint aches", scale((0, 1, 2, 4), "none", "mild", "severe", "rubbing joints")),
    Item(6, "Runny nose or tearing", scale((0, 1, 2, 4), "none", "stuffiness", "running", "constant")),
    Item(7, "GI upset", scale((0, 1, 2, 3, 5), "none", "cramps", "nausea", "vomiting", "multiple episodes")),
    Item(8, "Tremor", scale((0, 1, 2, 4), "none", "felt", "slight", "gross")),
    Item(9, "Yawning", scale((0, 1, 2, 4), "none", "1–2 times", "3+ times", "several per minute")),
    Item(10, "Anxiety or irritability", scale((0, 1, 2, 4), "none", "reported", "observable", "severe")),
    Item(11, "Gooseflesh skin", scale((0, 3, 5), "smooth", "piloerection felt", "prominent")),
)
CIWA_SEVEN = tuple(range(8))
CIWA_ITEMS = (
    Item(1, "Nausea and vomiting", scale(CIWA_SEVEN)),
    Item(2, "Tremor", scale(CIWA_SEVEN)),
    Item(3, "Paroxysmal sweats", scale(CIWA_SEVEN)),
    Item(4, "Anxiety", scale(CIWA_SEVEN)),
    Item(5, "Agitation", scale(CIWA_SEVEN)),
    Item(6, "Tactile disturbances", scale(CIWA_SEVEN)),
    Item(7, "Auditory disturbances", scale(CIWA_SEVEN)),
    Item(8, "Visual disturbances", scale(CIWA_SEVEN)),
    Item(9, "Headache, fullness in head", scale(CIWA_SEVEN)),
    Item(10, "Orientation and clouding of sensorium", scale(range(5))),
)

SPECS: dict[str, Spec] = {
    Instrument.PHQ9: Spec("phq9", "PHQ-9", "Depression, last 2 weeks", PHQ9_ITEMS, 27),
    Instrument.GAD7: Spec("gad7", "GAD-7", "Anxiety, last 2 weeks", GAD7_ITEMS, 21),
    Instrument.AUDIT: Spec("audit", "AUDIT", "Alcohol use, last year", AUDIT_ITEMS, 40),
    Instrument.AUDITC: Spec("auditc", "AUDIT-C", "Alcohol consumption", AUDIT_ITEMS[:3], 12),
    Instrument.DAST10: Spec("dast10", "DAST-10", "Drug use, last 12 months", DAST10_ITEMS, 10),
    Instrument.BAM: Spec("bam", "BAM", "Brief Addiction Monitor, last 30 days", BAM_ITEMS, None),
    Instrument.COWS: Spec("cows", "COWS", "Clinical Opiate Withdrawal Scale", COWS_ITEMS, 48),
    Instrument.CIWAAR: Spec("ciwaar", "CIWA-Ar", "Alcohol withdrawal", CIWA_ITEMS, 67),
}

PHQ9_BANDS = ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "moderately severe"), (20, "severe"))
GAD7_BANDS = ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe"))
AUDIT_BANDS = ((0, "low risk"), (8, "hazardous"), (16, "harmful"), (20, "possible dependence"))
DAST10_BANDS = ((0, "none"), (1, "low"), (3, "moderate"), (6, "substantial"), (9, "severe"))
COWS_BANDS = ((0, "no active withdrawal"), (5, "mild"), (13, "moderate"), (25, "moderately severe"), (37, "severe"))
AUDITC_THRESHOLD_MEN = 4
AUDITC_THRESHOLD_WOMEN = 3


def validate_answers(spec: Spec, answers: Sequence[int | None]) -> list[int]:
    """Check every item is answered with an allowed value; name every one that is not."""
    errors: dict[int, str] = {}
    values: list[int] = []
    for index, item in enumerate(spec.items):
        raw = answers[index] if index < len(answers) else None
        if raw is None or raw == "":
            errors[item.number] = "Answer this item."
            continue
        try:
            value = int(raw)
        except (TypeError, ValueError):
            errors[item.number] = "Choose one of the listed answers."
            continue
        # int() truncates 2.5 to 2: refuse a non-whole number rather than score a value nobody chose.
        if value not in item.allowed or (not isinstance(raw, str) and value != raw):
            errors[item.number] = "Choose one of the listed answers."
            continue
        values.append(value)
    if len(answers) > spec.item_count:
        errors[spec.item_count + 1] = f"{spec.title} has only {spec.item_count} items."
    if errors:
        raise IncompleteInstrument(errors)
    return values


def score(instrument: str, answers: Sequence[int | None], *, sex: str = "") -> Result:
    """Score one administration; raises IncompleteInstrument naming every bad item."""
    spec = SPECS[instrument]
    values = validate_answers(spec, answers)
    total = sum(values)
    if instrument == Instrument.PHQ9:
        # Any answer above 0 on item 9 (thoughts of self-harm) needs same-day safety follow-up.
        return Result(total, band_for(total, PHQ9_BANDS), is_positive=total >= 10, safety_alert=values[8] > 0)
    if instrument == Instrument.GAD7:
        return Result(total, band_for(total, GAD7_BANDS), is_positive=total >= 10)
    if instrument == Instrument.AUDIT:
        return Result(total, band_for(total, AUDIT_BANDS), is_positive=total >= 8)
    if instrument == Instrument.AUDITC:
        # With sex unknown the lower (women's) threshold is used: better a follow-up than a miss.
        threshold = AUDITC_THRESHOLD_MEN if sex == "male" else AUDITC_THRESHOLD_WOMEN
        positive = total >= threshold
        return Result(total, "positive" if positive else "negative", is_positive=positive)
    if instrument == Instrument.DAST10:
        scored = [(1 - v) if number in DAST10_REVERSED else v for number, v in enumerate(values, start=1)]
        dast = sum(scored)
        return Result(dast, band_for(dast, DAST10_BANDS), is_positive=dast >= 3)
    if instrument == Instrument.BAM:
        subscales = {name: sum(values[n - 1] for n in numbers) for name, numbers in BAM_SUBSCALES.items()}
        return Result(None, "", subscales=subscales, is_positive=subscales["use"] > 0)
    if instrument == Instrument.COWS:
        return Result(total, band_for(total, COWS_BANDS), is_positive=total >= 5)
    if instrument == Instrument.CIWAAR:
        bands = settings.CIWA_AR_BANDS
        return Result(total, band_for(total, bands), is_positive=len(bands) > 1 and total >= bands[1][0])
    raise KeyError(instrument)
