"""Incomplete or invalid answers are named; every total scores to itself; properties over all answers."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patients.instruments import (
    AUDIT_BANDS,
    BAM_SUBSCALES,
    COWS_BANDS,
    DAST10_BANDS,
    GAD7_BANDS,
    PHQ9_BANDS,
    SPECS,
    IncompleteInstrument,
    Instrument,
    score,
)
from patients.tests.instrument_answers import (
    DEFAULT_CIWA_BANDS,
    TOTAL_SCORED,
    answers_for,
    dast_answers_for,
    expected_score,
    reachable_totals,
)


def test_missing_items_are_named_exactly():
    answers = [1, 2, None, 1, 0, 1, 2]  # item 3 blank, items 8 and 9 absent
    with pytest.raises(IncompleteInstrument) as excinfo:
        score(Instrument.PHQ9, answers)
    assert excinfo.value.errors == {3: "Answer this item.", 8: "Answer this item.", 9: "Answer this item."}
    assert "items 3, 8, 9 not answered" in str(excinfo.value)


def test_empty_string_counts_as_not_answered():
    answers = [0] * 7
    answers[4] = ""
    with pytest.raises(IncompleteInstrument) as excinfo:
        score(Instrument.GAD7, answers)
    assert excinfo.value.errors == {5: "Answer this item."}


@pytest.mark.parametrize("instrument", list(SPECS))
def test_no_answers_names_every_item(instrument):
    with pytest.raises(IncompleteInstrument) as excinfo:
        score(instrument, [])
    assert set(excinfo.value.errors) == set(range(1, SPECS[instrument].item_count + 1))


def test_out_of_range_value_on_phq_item_is_named():
    answers = [0] * 9
    answers[3] = 5
    with pytest.raises(IncompleteInstrument) as excinfo:
        score(Instrument.PHQ9, answers)
    assert excinfo.value.errors == {4: "Choose one of the listed answers."}
    assert "out of range" in str(excinfo.value)


@pytest.mark.parametrize("value", [1, 3, 5, -2])
def test_audit_item_9_refuses_values_other_than_0_2_4(value):
    answers = [0] * 10
    answers[8] = value
    with pytest.raises(IncompleteInstrument) as excinfo:
        score(Instrument.AUDIT, answers)
    assert excinfo.value.errors == {9: "Choose one of the listed answers."}


@pytest.mark.parametrize("value", [-1, 4, "three", "2.5", 2.5, [1]])
def test_invalid_values_are_named(value):
    answers = [0] * 9
    answers[1] = value
    with pytest.raises(IncompleteInstrument) as excinfo:
        score(Instrument.PHQ9, answers)
    assert excinfo.value.errors == {2: "Choose one of the listed answers."}


def test_whole_numbers_given_as_text_or_float_are_accepted():
    assert score(Instrument.PHQ9, ["1", "2", "0", "0", "0", "0", "0", "0", "0"]).score == 3
    assert score(Instrument.GAD7, [1.0, 0, 0, 0, 0, 0, 2]).score == 3


def test_missing_and_invalid_items_are_reported_together():
    answers = [0, 9, None, 0, 0, 0, 0, 0]
    with pytest.raises(IncompleteInstrument) as excinfo:
        score(Instrument.PHQ9, answers)
    assert excinfo.value.errors == {
        2: "Choose one of the listed answers.",
        3: "Answer this item.",
        9: "Answer this item.",
    }


@pytest.mark.parametrize("instrument", list(SPECS))
def test_too_many_answers_are_refused(instrument):
    spec = SPECS[instrument]
    answers = [min(item.allowed) for item in spec.items] + [0]
    with pytest.raises(IncompleteInstrument) as excinfo:
        score(instrument, answers)
    assert excinfo.value.errors == {spec.item_count + 1: f"{spec.title} has only {spec.item_count} items."}


def test_incomplete_instrument_is_a_value_error():
    with pytest.raises(ValueError, match="Incomplete instrument"):
        score(Instrument.GAD7, [0] * 6)


def test_unknown_instrument_is_refused():
    with pytest.raises(KeyError):
        score("madrs", [0] * 10)


BAND_ORDER = {
    Instrument.PHQ9: [label for _, label in PHQ9_BANDS],
    Instrument.GAD7: [label for _, label in GAD7_BANDS],
    Instrument.AUDIT: [label for _, label in AUDIT_BANDS],
    Instrument.AUDITC: ["negative", "positive"],
    Instrument.DAST10: [label for _, label in DAST10_BANDS],
    Instrument.COWS: [label for _, label in COWS_BANDS],
    Instrument.CIWAAR: [label for _, label in DEFAULT_CIWA_BANDS],
}


def band_rank(instrument: str, band: str) -> int:
    return BAND_ORDER[instrument].index(band)


@pytest.mark.parametrize("instrument", TOTAL_SCORED)
def test_every_total_scores_to_itself_and_bands_never_go_down(instrument):
    spec = SPECS[instrument]
    ranks = []
    for total in range(spec.max_score + 1):
        if instrument == Instrument.DAST10:
            answers = dast_answers_for(total)
        elif total in reachable_totals(instrument)[0]:
            answers = answers_for(instrument, total)
        else:
            continue
        result = score(instrument, answers)
        assert result.score == total
        ranks.append(band_rank(instrument, result.band))
    assert ranks == sorted(ranks)
    assert ranks[0] == 0
    assert ranks[-1] == len(BAND_ORDER[instrument]) - 1


@st.composite
def valid_administration(draw, instruments=tuple(SPECS)):
    instrument = draw(st.sampled_from(instruments))
    answers = [draw(st.sampled_from(sorted(item.allowed))) for item in SPECS[instrument].items]
    return instrument, answers


@given(valid_administration(), st.sampled_from(["", "male", "female", "intersex", "unknown"]))
def test_any_valid_answers_score_to_their_sum_within_range(administration, sex):
    instrument, answers = administration
    spec = SPECS[instrument]
    result = score(instrument, answers, sex=sex)
    if spec.max_score is None:
        assert result.score is None
        assert result.subscales == {
            name: sum(answers[n - 1] for n in numbers) for name, numbers in BAM_SUBSCALES.items()
        }
        return
    assert result.score == expected_score(instrument, answers)
    assert 0 <= result.score <= spec.max_score
    assert result.band in BAND_ORDER[instrument]
    if instrument == Instrument.PHQ9:
        assert result.safety_alert is (answers[8] > 0)
    else:
        assert result.safety_alert is False


@given(st.data())
def test_band_is_monotone_in_the_score(data):
    instrument = data.draw(st.sampled_from(TOTAL_SCORED))
    first = data.draw(valid_administration((instrument,)))[1]
    second = data.draw(valid_administration((instrument,)))[1]
    sex = data.draw(st.sampled_from(["", "male", "female"]))
    low, high = sorted((score(instrument, a, sex=sex) for a in (first, second)), key=lambda r: r.score)
    assert band_rank(instrument, low.band) <= band_rank(instrument, high.band)
    assert low.is_positive <= high.is_positive
