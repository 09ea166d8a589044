"""Each instrument scored as published: items, totals, bands, subscales and safety alerts."""

import pytest

from patients.instruments import (
    BAM_SUBSCALES,
    DAST10_REVERSED,
    SPECS,
    IncompleteInstrument,
    Instrument,
    score,
)
from patients.tests.instrument_answers import answers_for, dast_answers_for


@pytest.mark.parametrize("instrument", list(SPECS))
def test_items_are_numbered_one_to_n(instrument):
    spec = SPECS[instrument]
    assert [item.number for item in spec.items] == list(range(1, spec.item_count + 1))


@pytest.mark.parametrize(
    ("instrument", "count", "max_score"),
    [
        (Instrument.PHQ9, 9, 27),
        (Instrument.GAD7, 7, 21),
        (Instrument.AUDIT, 10, 40),
        (Instrument.AUDITC, 3, 12),
        (Instrument.DAST10, 10, 10),
        (Instrument.BAM, 17, None),
        (Instrument.COWS, 11, 48),
        (Instrument.CIWAAR, 10, 67),
    ],
)
def test_item_count_and_maximum_match_the_published_instrument(instrument, count, max_score):
    spec = SPECS[instrument]
    assert spec.item_count == count
    assert spec.max_score == max_score
    if max_score is not None:
        assert sum(max(item.allowed) for item in spec.items) == max_score
        top = dast_answers_for(max_score) if instrument == Instrument.DAST10 else answers_for(instrument, max_score)
        assert score(instrument, top).score == max_score


def test_audit_c_is_the_first_three_audit_items():
    assert SPECS[Instrument.AUDITC].items == SPECS[Instrument.AUDIT].items[:3]


def test_audit_items_9_and_10_allow_only_0_2_4():
    for item in SPECS[Instrument.AUDIT].items[8:]:
        assert item.allowed == {0, 2, 4}


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_bands(total, band):
    result = score(Instrument.PHQ9, answers_for(Instrument.PHQ9, total))
    assert result.score == total
    assert result.band == band
    assert result.is_positive is (total >= 10)
    assert result.subscales == {}


def test_phq9_item_9_zero_raises_no_safety_alert_even_at_the_top_of_the_scale():
    result = score(Instrument.PHQ9, [3] * 8 + [0])
    assert result.score == 24
    assert result.band == "severe"
    assert result.safety_alert is False


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_phq9_item_9_above_zero_raises_a_safety_alert_whatever_the_total(item9):
    result = score(Instrument.PHQ9, [0] * 8 + [item9])
    assert result.score == item9
    assert result.band == "minimal"
    assert result.safety_alert is True


def test_phq9_other_items_never_raise_the_safety_alert():
    for index in range(8):
        answers = [0] * 9
        answers[index] = 3
        assert score(Instrument.PHQ9, answers).safety_alert is False


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_bands(total, band):
    result = score(Instrument.GAD7, answers_for(Instrument.GAD7, total))
    assert result.score == total
    assert result.band == band
    assert result.safety_alert is False


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "low risk"),
        (7, "low risk"),
        (8, "hazardous"),
        (15, "hazardous"),
        (16, "harmful"),
        (19, "harmful"),
        (20, "possible dependence"),
        (40, "possible dependence"),
    ],
)
def test_audit_bands(total, band):
    result = score(Instrument.AUDIT, answers_for(Instrument.AUDIT, total))
    assert result.score == total
    assert result.band == band
    assert result.is_positive is (total >= 8)


def test_audit_scores_items_9_and_10_at_their_weighted_values():
    answers = [0] * 8 + [2, 4]
    assert score(Instrument.AUDIT, answers).score == 6


@pytest.mark.parametrize(
    ("sex", "total", "positive"),
    [
        ("male", 0, False),
        ("male", 3, False),
        ("male", 4, True),
        ("male", 12, True),
        ("female", 0, False),
        ("female", 2, False),
        ("female", 3, True),
        ("female", 12, True),
        # Sex unknown, declined or intersex: the lower (women's) threshold.
        ("", 2, False),
        ("", 3, True),
        ("unknown", 2, False),
        ("unknown", 3, True),
        ("intersex", 2, False),
        ("intersex", 3, True),
    ],
)
def test_audit_c_threshold_depends_on_sex(sex, total, positive):
    result = score(Instrument.AUDITC, answers_for(Instrument.AUDITC, total), sex=sex)
    assert result.score == total
    assert result.is_positive is positive
    assert result.band == ("positive" if positive else "negative")


def test_audit_c_default_sex_uses_the_womens_threshold():
    assert score(Instrument.AUDITC, [1, 1, 1]).is_positive is True


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "none"),
        (1, "low"),
        (2, "low"),
        (3, "moderate"),
        (5, "moderate"),
        (6, "substantial"),
        (8, "substantial"),
        (9, "severe"),
        (10, "severe"),
    ],
)
def test_dast10_bands(total, band):
    result = score(Instrument.DAST10, dast_answers_for(total))
    assert result.score == total
    assert result.band == band
    assert result.is_positive is (total >= 3)


def test_dast10_item_3_is_reverse_scored():
    # "Always able to stop using drugs when you want to": No (0) counts one point, Yes (1) none.
    all_no = [0] * 10
    assert score(Instrument.DAST10, all_no).score == 1
    assert score(Instrument.DAST10, all_no).band == "low"
    only_item_3_yes = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    assert score(Instrument.DAST10, only_item_3_yes).score == 0
    assert score(Instrument.DAST10, only_item_3_yes).band == "none"
    all_yes = [1] * 10
    assert score(Instrument.DAST10, all_yes).score == 9
    all_yes_but_item_3 = [1, 1, 0, 1, 1, 1, 1, 1, 1, 1]
    assert score(Instrument.DAST10, all_yes_but_item_3).score == 10


def test_dast10_other_items_are_not_reversed():
    for number in range(1, 11):
        if number in DAST10_REVERSED:
            continue
        answers = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
        answers[number - 1] = 1
        assert score(Instrument.DAST10, answers).score == 1


def test_bam_subscale_item_lists():
    assert BAM_SUBSCALES == {
        "use": (4, 5, 6),
        "risk": (1, 2, 3, 8, 11, 15),
        "protective": (9, 10, 12, 13, 14, 16),
    }


def test_bam_scores_subscales_and_no_total():
    #          1  2  3  4  5  6  7  8  9 10 11 12 13 14 15 16 17
    answers = [1, 2, 3, 4, 1, 2, 4, 3, 4, 1, 2, 3, 4, 4, 1, 2, 3]
    result = score(Instrument.BAM, answers)
    assert result.score is None
    assert result.band == ""
    assert result.subscales == {
        "use": 4 + 1 + 2,
        "risk": 1 + 2 + 3 + 3 + 2 + 1,
        "protective": 4 + 1 + 3 + 4 + 4 + 2,
    }
    assert result.is_positive is True


@pytest.mark.parametrize("number", [7, 17])
def test_bam_items_outside_the_subscales_change_no_subscale(number):
    answers = [0] * 17
    baseline = score(Instrument.BAM, answers).subscales
    answers[number - 1] = 4
    assert score(Instrument.BAM, answers).subscales == baseline == {"use": 0, "risk": 0, "protective": 0}


@pytest.mark.parametrize("number", range(1, 17))
def test_bam_each_scored_item_feeds_exactly_its_subscale(number):
    answers = [0] * 17
    answers[number - 1] = 4
    subscales = score(Instrument.BAM, answers).subscales
    if number == 7:
        assert set(subscales.values()) == {0}
        return
    expected = {name: (4 if number in items else 0) for name, items in BAM_SUBSCALES.items()}
    assert subscales == expected


def test_bam_is_positive_only_with_use():
    assert score(Instrument.BAM, [0] * 17).is_positive is False
    no_use_but_risk = [4, 4, 4, 0, 0, 0, 0, 4, 0, 0, 4, 0, 0, 0, 4, 0, 0]
    assert score(Instrument.BAM, no_use_but_risk).is_positive is False
    for number in (4, 5, 6):
        answers = [0] * 17
        answers[number - 1] = 1
        assert score(Instrument.BAM, answers).is_positive is True


def test_bam_item_14_is_no_or_yes_scored_0_or_4():
    answers = [0] * 17
    answers[13] = 1
    with pytest.raises(IncompleteInstrument) as excinfo:
        score(Instrument.BAM, answers)
    assert set(excinfo.value.errors) == {14}


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "no active withdrawal"),
        (4, "no active withdrawal"),
        (5, "mild"),
        (12, "mild"),
        (13, "moderate"),
        (24, "moderate"),
        (25, "moderately severe"),
        (36, "moderately severe"),
        (37, "severe"),
        (48, "severe"),
    ],
)
def test_cows_bands(total, band):
    result = score(Instrument.COWS, answers_for(Instrument.COWS, total))
    assert result.score == total
    assert result.band == band
    assert result.is_positive is (total >= 5)


def test_cows_refuses_values_between_the_anchors():
    answers = [0] * 11
    answers[0] = 3  # pulse is scored 0, 1, 2 or 4
    answers[10] = 1  # gooseflesh is scored 0, 3 or 5
    with pytest.raises(IncompleteInstrument) as excinfo:
        score(Instrument.COWS, answers)
    assert set(excinfo.value.errors) == {1, 11}


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (9, "minimal"),
        (10, "mild to moderate"),
        (15, "mild to moderate"),
        (16, "severe"),
        (67, "severe"),
    ],
)
def test_ciwa_ar_default_bands(total, band):
    result = score(Instrument.CIWAAR, answers_for(Instrument.CIWAAR, total))
    assert result.score == total
    assert result.band == band
    assert result.is_positive is (total >= 10)


def test_ciwa_ar_bands_follow_the_setting(settings):
    answers = answers_for(Instrument.CIWAAR, 8)
    assert score(Instrument.CIWAAR, answers).band == "minimal"
    settings.CIWA_AR_BANDS = [(0, "absent"), (8, "mild"), (15, "moderate"), (20, "severe")]
    result = score(Instrument.CIWAAR, answers)
    assert result.band == "mild"
    assert result.is_positive is True
    assert score(Instrument.CIWAAR, answers_for(Instrument.CIWAAR, 7)).band == "absent"
    assert score(Instrument.CIWAAR, answers_for(Instrument.CIWAAR, 7)).is_positive is False
    assert score(Instrument.CIWAAR, answers_for(Instrument.CIWAAR, 19)).band == "moderate"
    assert score(Instrument.CIWAAR, answers_for(Instrument.CIWAAR, 20)).band == "severe"


def test_ciwa_ar_item_10_is_scored_0_to_4():
    answers = [0] * 10
    answers[9] = 5
    with pytest.raises(IncompleteInstrument) as excinfo:
        score(Instrument.CIWAAR, answers)
    assert set(excinfo.value.errors) == {10}
    answers[9] = 4
    assert score(Instrument.CIWAAR, answers).score == 4
