"""Reads for the auditor's page on random testing: every draw re-checked from its own recorded numbers."""

from dataclasses import dataclass, field
from datetime import date

from programs.constants import WEEKDAY_CODES, Weekday
from programs.models import Program
from scheduling.selectors import programs_visible_to

from ..constants import DrawReason, DrawRecheck
from ..models import ProgramClinicalPolicy, RandomDraw
from ..services.random_draws import (
    DrawRule,
    daily_probability,
    draw_weekdays,
    next_testing_day,
    weekdays_of,
)


@dataclass(frozen=True)
class PatientChoice:
    """One eligible patient on one draw: the recorded numbers and what the rule makes of them."""

    patient_id: int
    last_tested_on: date | None
    gap_days: int | None
    testing_days_left: int | None
    chance: float | None
    value: float | None
    recorded: str
    expected: str

    @property
    def agrees(self) -> bool:
        return self.recorded == self.expected

    @property
    def chance_percent(self) -> float | None:
        return None if self.chance is None else 100 * self.chance

    @property
    def recorded_label(self) -> str:
        return _reason_label(self.recorded)

    @property
    def expected_label(self) -> str:
        return _reason_label(self.expected)

    @property
    def foreseeable(self) -> bool:
        """Drawn on a day their chance was certain: a patient who counted days knew it was coming."""
        return bool(self.recorded) and self.chance is not None and self.chance >= 1


def _reason_label(reason: str) -> str:
    if not reason:
        return "not drawn"
    return DrawReason(reason).label if reason in DrawReason.values else reason


@dataclass
class DrawCheck:
    """A day's draw with each patient's choice re-computed from the record."""

    draw: RandomDraw
    verdict: DrawRecheck
    window_testing_days: int | None
    choices: list[PatientChoice]

    @property
    def eligible(self) -> int:
        return len(self.draw.eligible_patient_ids)

    def drawn_for(self, reason: DrawReason) -> int:
        return sum(1 for recorded in self.draw.drawn.values() if recorded == reason)

    @property
    def random(self) -> int:
        return self.drawn_for(DrawReason.RANDOM)

    @property
    def gap_window(self) -> int:
        return self.drawn_for(DrawReason.GAP_WINDOW)

    @property
    def gap(self) -> int:
        return self.drawn_for(DrawReason.GAP)

    @property
    def tests(self) -> int:
        return len(self.draw.drawn)

    @property
    def foreseeable(self) -> int:
        return sum(1 for choice in self.choices if choice.foreseeable)

    @property
    def chance_on_test_days(self) -> float:
        """Sum of the drawn patients' chances that day (averaged over many draws by DrawCounts)."""
        return sum(choice.chance for choice in self.choices if choice.recorded and choice.chance is not None)

    @property
    def disagreements(self) -> int:
        return sum(1 for choice in self.choices if not choice.agrees)


def _fixed_day_reason(rule: DrawRule, *, last_tested: date, on: date, value: float) -> tuple[str, float]:
    """The reason and chance under the rule draws followed before the gap window (issue 11)."""
    certain = (next_testing_day(on, rule.testing_weekdays) - last_tested).days > rule.longest_gap_days
    if value < rule.probability:
        return DrawReason.RANDOM, 1.0 if certain else rule.probability
    if certain:
        return DrawReason.GAP, 1.0
    return "", rule.probability


def _rule_of(draw: RandomDraw) -> DrawRule | None:
    """The rule the draw ran under, rebuilt from its recorded rate, days and longest gap."""
    weekdays = weekdays_of(code.strip().upper() for code in draw.testing_days.split(","))
    if not weekdays or not 0 < draw.weekly_testing_rate <= 1:
        return None
    probability = daily_probability(float(draw.weekly_testing_rate), len(weekdays))
    return DrawRule(
        probability=probability, longest_gap_days=draw.longest_gap_days, testing_weekdays=frozenset(weekdays)
    )


def _choices(draw: RandomDraw, rule: DrawRule, *, fixed_day: bool) -> list[PatientChoice]:
    choices = []
    eligible = {int(pid) for pid in draw.eligible_patient_ids}
    patient_ids = sorted(eligible | {int(pid) for pid in draw.drawn})
    for patient_id in patient_ids:
        key = str(patient_id)
        recorded = draw.drawn.get(key, "")
        last_text, value = draw.last_tested_on.get(key), draw.random_values.get(key)
        try:
            last_tested = date.fromisoformat(last_text) if last_text else None
        except (TypeError, ValueError):
            last_tested = None
        if last_tested is None or not isinstance(value, int | float) or patient_id not in eligible:
            # A number missing from the record (or a drawn patient who was not eligible) cannot be re-checked.
            choices.append(PatientChoice(patient_id, last_tested, None, None, None, None, recorded, "—"))
            continue
        days_left = rule.testing_days_left(last_tested=last_tested, on=draw.draw_date)
        if fixed_day:
            expected, chance = _fixed_day_reason(rule, last_tested=last_tested, on=draw.draw_date, value=value)
        else:
            expected = rule.reason(testing_days_left=days_left, value=value) or ""
            chance = rule.chance(days_left)
        gap_days = (draw.draw_date - last_tested).days
        choices.append(PatientChoice(patient_id, last_tested, gap_days, days_left, chance, value, recorded, expected))
    return choices


def draw_recheck(draw: RandomDraw) -> DrawCheck:
    """Re-compute every patient's choice from the draw's own numbers, under today's rule or the earlier one."""
    rule = _rule_of(draw)
    if rule is None:
        return DrawCheck(draw, DrawRecheck.DISAGREES, None, [])
    choices = _choices(draw, rule, fixed_day=False)
    verdict = DrawRecheck.GAP_WINDOW_RULE
    if not all(choice.agrees for choice in choices):
        earlier = _choices(draw, rule, fixed_day=True)
        if all(choice.agrees for choice in earlier):
            choices, verdict = earlier, DrawRecheck.FIXED_DAY_RULE
        else:
            verdict = DrawRecheck.DISAGREES
    return DrawCheck(draw, verdict, rule.window_testing_days, choices)


@dataclass
class DrawCounts:
    """Totals over many draws, with the two figures the auditor reads: share forced and share foreseeable."""

    draws: int = 0
    eligible: int = 0
    random: int = 0
    gap_window: int = 0
    gap: int = 0
    foreseeable: int = 0
    chance_on_test_days: float = 0.0
    disagreements: int = 0

    def add(self, check: DrawCheck) -> None:
        self.draws += 1
        self.eligible += check.eligible
        self.random += check.random
        self.gap_window += check.gap_window
        self.gap += check.gap
        self.foreseeable += check.foreseeable
        self.chance_on_test_days += check.chance_on_test_days
        self.disagreements += check.disagreements

    @property
    def tests(self) -> int:
        return self.random + self.gap_window + self.gap

    @property
    def forced(self) -> int:
        return self.gap_window + self.gap

    @property
    def forced_share(self) -> float | None:
        return self.forced / self.tests if self.tests else None

    @property
    def foreseeable_share(self) -> float | None:
        return self.foreseeable / self.tests if self.tests else None

    @property
    def mean_chance_on_test_days(self) -> float | None:
        return self.chance_on_test_days / self.tests if self.tests else None

    # Percentages for the page (a template cannot multiply).
    @property
    def forced_percent(self) -> float | None:
        return None if self.forced_share is None else 100 * self.forced_share

    @property
    def foreseeable_percent(self) -> float | None:
        return None if self.foreseeable_share is None else 100 * self.foreseeable_share

    @property
    def mean_chance_percent(self) -> float | None:
        return None if self.mean_chance_on_test_days is None else 100 * self.mean_chance_on_test_days


@dataclass
class ProgramDraws:
    """One program's draws over the period, with its policy as configured today."""

    program: Program
    policy: ProgramClinicalPolicy | None
    counts: DrawCounts = field(default_factory=DrawCounts)
    days: list[DrawCheck] = field(default_factory=list)

    @property
    def draw_day_codes(self) -> list[str]:
        """Today's draw days: the policy's testing days the program meets on."""
        if self.policy is None:
            return []
        return [WEEKDAY_CODES[weekday] for weekday in draw_weekdays(self.policy, self.program)]

    @property
    def draw_days_display(self) -> str:
        return ", ".join(Weekday(code).label[:3] for code in self.draw_day_codes)

    @property
    def no_draw_day(self) -> bool:
        """Random testing is on but no testing day is a meeting day: the daily run skips the program."""
        return self.policy is not None and self.policy.random_testing_enabled and not self.draw_day_codes


@dataclass
class DrawAudit:
    programs: list[ProgramDraws]
    totals: DrawCounts


def draws_visible_to(user):
    """Draws of the programs the user may see (the same rule as the schedule's)."""
    return RandomDraw.objects.filter(program__in=programs_visible_to(user))


def random_draw_audit(user, start: date, end: date) -> DrawAudit:
    """Per program the user may see: the draws from ``start`` to ``end`` re-checked and counted (two queries)."""
    programs = list(programs_visible_to(user).select_related("clinical_policy").order_by("name", "pk"))
    by_program: dict[int, ProgramDraws] = {}
    for program in programs:
        try:
            policy = program.clinical_policy
        except ProgramClinicalPolicy.DoesNotExist:
            policy = None
        by_program[program.pk] = ProgramDraws(program=program, policy=policy)
    draws = RandomDraw.objects.filter(program_id__in=list(by_program), draw_date__range=(start, end)).order_by(
        "draw_date", "pk"
    )
    totals = DrawCounts()
    for draw in draws:
        check = draw_recheck(draw)
        summary = by_program[draw.program_id]
        summary.days.append(check)
        summary.counts.add(check)
        totals.add(check)
    shown = [
        summary
        for summary in by_program.values()
        if summary.days or (summary.policy is not None and summary.policy.random_testing_enabled)
    ]
    return DrawAudit(programs=shown, totals=totals)
