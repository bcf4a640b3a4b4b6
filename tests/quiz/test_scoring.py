"""Scoring and form reading of every question type, as a learner would meet them."""

from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from lti_app.content.fields import Where
from lti_app.quiz import QUESTION_TYPES, AnswerError, answer_from_form, parse_question, score

WHY = "Because of the evidence; a fact-checker would open a new tab and check who is behind it."


def make(raw: dict):
    errors: list = []
    question = parse_question(raw, Where(Path("modules/demo"), "quiz.yaml", errors))
    assert errors == []
    return question


def options(*correct_flags: bool) -> list[dict]:
    return [
        {"id": chr(ord("a") + i), "text": f"Option {i}", "feedback": WHY, "correct": flag}
        for i, flag in enumerate(correct_flags)
    ]


def test_every_required_type_is_registered():
    assert set(QUESTION_TYPES) == {
        "single_choice", "multiple_choice", "true_false_reason", "ordering", "matching",
        "credible_source", "search_pick", "headline_rating", "share_decision", "confidence", "reflection",
    }


# single_choice ---------------------------------------------------------------

SINGLE = {"id": "q1", "type": "single_choice", "prompt": "Pick one.", "points": 2, "options": options(False, True, False)}


def test_single_choice_right_answer_gets_all_points_and_feedback_for_every_option():
    question = make(SINGLE)
    result = score(question, "b")
    assert (result.points, result.max_points, result.correct) == (2, 2, True)
    assert [f.verdict for f in result.feedback] == ["info", "right", "info"]
    assert all(f.text == WHY for f in result.feedback)


def test_single_choice_wrong_answer_scores_zero_and_shows_the_missed_answer():
    result = score(make(SINGLE), "a")
    assert (result.points, result.correct) == (0, False)
    assert [f.verdict for f in result.feedback] == ["wrong", "missed", "info"]


def test_single_choice_form_rejects_missing_double_and_unknown_answers():
    question = make(SINGLE)
    assert answer_from_form(question, {"q1": ["c"]}) == "c"
    assert answer_from_form(question, MultiDict([("q1", "a")])) == "a"
    with pytest.raises(AnswerError, match="Choose an answer"):
        answer_from_form(question, {})
    with pytest.raises(AnswerError, match="only one"):
        answer_from_form(question, {"q1": ["a", "b"]})
    with pytest.raises(AnswerError, match="not one of the choices"):
        answer_from_form(question, {"q1": ["z"]})


# multiple_choice -------------------------------------------------------------

MULTI = {"id": "q2", "type": "multiple_choice", "prompt": "Pick all.", "options": options(True, True, True, False, False)}


@pytest.mark.parametrize(
    "chosen, points",
    [
        (["a", "b", "c"], 1.0),
        (["a", "b"], pytest.approx(2 / 3, abs=1e-4)),
        (["a", "b", "c", "d"], pytest.approx(2 / 3, abs=1e-4)),
        (["a", "d"], 0.0),
        (["a", "d", "e"], 0.0),  # floored at zero, never negative
        (["d", "e"], 0.0),
    ],
)
def test_multiple_choice_partial_credit_is_right_minus_wrong_over_right_total(chosen, points):
    assert score(make(MULTI), chosen).points == points


def test_multiple_choice_ticking_everything_is_not_full_marks():
    result = score(make(MULTI), ["a", "b", "c", "d", "e"])
    assert result.points == pytest.approx(1 / 3, abs=1e-4)
    assert result.correct is False


def test_multiple_choice_form_needs_at_least_one_known_option():
    question = make(MULTI)
    assert answer_from_form(question, {"q2": ["c", "a", "a"]}) == ["a", "c"]
    with pytest.raises(AnswerError, match="at least one"):
        answer_from_form(question, {"q2": [""]})
    with pytest.raises(AnswerError, match="not one of the choices"):
        answer_from_form(question, {"q2": ["a", "x"]})


# true_false_reason -----------------------------------------------------------

TFR = {
    "id": "q3", "type": "true_false_reason", "prompt": "A .org site is always reliable.", "answer": False,
    "feedback_if_true": WHY, "feedback_if_false": WHY, "reasons": options(True, False),
}


@pytest.mark.parametrize(
    "verdict, reason, points",
    [(False, "a", 1.0), (False, "b", 0.5), (True, "a", 0.0), (True, "b", 0.0)],
)
def test_true_false_reason_needs_both_tiers_for_full_credit(verdict, reason, points):
    result = score(make(TFR), {"verdict": verdict, "reason": reason})
    assert result.points == points
    assert result.correct is (points == 1.0)


def test_true_false_reason_feedback_covers_both_verdicts_and_every_reason():
    result = score(make(TFR), {"verdict": True, "reason": "a"})
    assert [(f.ref, f.verdict) for f in result.feedback] == [
        ("true", "wrong"), ("false", "missed"), ("a", "right"), ("b", "info"),
    ]
    assert str(result.feedback[0].label) == "True"


def test_true_false_reason_form_needs_a_verdict_and_a_reason():
    question = make(TFR)
    assert answer_from_form(question, {"q3.verdict": ["false"], "q3.reason": ["b"]}) == {"verdict": False, "reason": "b"}
    with pytest.raises(AnswerError, match="true or false"):
        answer_from_form(question, {"q3.reason": ["b"]})
    with pytest.raises(AnswerError, match="reason"):
        answer_from_form(question, {"q3.verdict": ["true"]})
    with pytest.raises(AnswerError, match="not one of the choices"):
        answer_from_form(question, {"q3.verdict": ["maybe"], "q3.reason": ["b"]})


# ordering --------------------------------------------------------------------

ORDERING = {
    "id": "q4", "type": "ordering", "prompt": "Put in order.",
    "items": [{"id": i, "text": f"Step {i}", "feedback": WHY} for i in ("c", "a", "d", "b")],
    "order": ["a", "b", "c", "d"],
}


@pytest.mark.parametrize(
    "placed, points",
    [
        (["a", "b", "c", "d"], 1.0),
        (["a", "b", "d", "c"], 0.5),
        (["a", "c", "d", "b"], 0.25),
        (["b", "c", "d", "a"], 0.0),
        (["d", "c", "b", "a"], 0.0),
    ],
)
def test_ordering_credits_the_share_of_items_in_their_right_position(placed, points):
    assert score(make(ORDERING), placed).points == points


def test_ordering_feedback_follows_the_right_order():
    result = score(make(ORDERING), ["a", "b", "d", "c"])
    assert [(f.ref, f.verdict) for f in result.feedback] == [("a", "right"), ("b", "right"), ("c", "wrong"), ("d", "wrong")]


def test_ordering_form_turns_positions_into_an_order():
    question = make(ORDERING)
    form = {"q4.a": ["2"], "q4.b": ["1"], "q4.c": ["4"], "q4.d": ["3"]}
    assert answer_from_form(question, form) == ["b", "a", "d", "c"]


@pytest.mark.parametrize(
    "form, message",
    [
        ({"q4.a": ["1"], "q4.b": ["2"], "q4.c": ["3"]}, "every item a position"),
        ({"q4.a": ["1"], "q4.b": ["1"], "q4.c": ["3"], "q4.d": ["4"]}, "different position"),
        ({"q4.a": ["1"], "q4.b": ["2"], "q4.c": ["3"], "q4.d": ["9"]}, "not one of the choices"),
        ({"q4.a": ["first"], "q4.b": ["2"], "q4.c": ["3"], "q4.d": ["4"]}, "not one of the choices"),
    ],
)
def test_ordering_form_rejects_missing_repeated_and_impossible_positions(form, message):
    with pytest.raises(AnswerError, match=message):
        answer_from_form(make(ORDERING), form)


# matching --------------------------------------------------------------------

MATCHING = {
    "id": "q5", "type": "matching", "prompt": "Sort them.",
    "categories": [{"id": "fact", "text": "Fact"}, {"id": "opinion", "text": "Opinion"}],
    "items": [
        {"id": "a", "text": "The bridge closes on 3 June.", "category": "fact", "feedback": WHY},
        {"id": "b", "text": "The bridge is ugly.", "category": "opinion", "feedback": WHY},
        {"id": "c", "text": "It rained 20 mm.", "category": "fact", "feedback": WHY},
        {"id": "d", "text": "Rain is the worst.", "category": "opinion", "feedback": WHY},
    ],
}


def test_matching_credits_each_item_in_its_category():
    question = make(MATCHING)
    assert score(question, {"a": "fact", "b": "opinion", "c": "fact", "d": "opinion"}).points == 1.0
    result = score(question, {"a": "fact", "b": "fact", "c": "opinion", "d": "opinion"})
    assert result.points == 0.5
    assert [f.verdict for f in result.feedback] == ["right", "wrong", "wrong", "right"]


def test_matching_form_needs_every_item_in_a_known_category():
    question = make(MATCHING)
    full = {"q5.a": ["fact"], "q5.b": ["opinion"], "q5.c": ["fact"], "q5.d": ["fact"]}
    assert answer_from_form(question, full) == {"a": "fact", "b": "opinion", "c": "fact", "d": "fact"}
    with pytest.raises(AnswerError, match="every item in a category"):
        answer_from_form(question, {"q5.a": ["fact"]})
    with pytest.raises(AnswerError, match="not one of the choices"):
        answer_from_form(question, {**full, "q5.d": ["rumour"]})


# credible_source -------------------------------------------------------------

SOURCES = {
    "id": "q6", "type": "credible_source", "prompt": "Which is most credible?",
    "sources": [
        {"id": "a", "name": "A video channel", "description": "No names.", "feedback": WHY},
        {"id": "b", "name": "A university page", "description": "Names the team.", "feedback": WHY, "correct": True},
    ],
}


def test_credible_source_scores_the_credible_pick_and_explains_each_source():
    question = make(SOURCES)
    assert score(question, "b").points == 1.0
    result = score(question, "a")
    assert result.points == 0.0
    assert [(f.label, f.verdict) for f in result.feedback] == [("A video channel", "wrong"), ("A university page", "missed")]


def test_credible_source_takes_two_to_four_sources():
    raw = {**SOURCES, "sources": SOURCES["sources"] * 3}
    errors: list = []
    parse_question(raw, Where(Path("modules/demo"), "quiz.yaml", errors))
    assert any("has 6 entries" in str(e) and "between 2 and 4" in str(e) for e in errors)


# search_pick -----------------------------------------------------------------


def search(partial_credit=None):
    raw = {
        "id": "q7", "type": "search_pick", "prompt": "Which would you open?", "query": "bridge closed",
        "results": [
            {"id": "ad", "title": "Taxi", "url": "taxi.example", "snippet": "Ride.", "ad": True, "grade": "poor", "feedback": WHY},
            {"id": "city", "title": "City notice", "url": "city.example", "snippet": "Dates.", "grade": "best", "feedback": WHY},
            {"id": "radio", "title": "Radio", "url": "radio.example", "snippet": "Report.", "grade": "acceptable", "feedback": WHY},
        ],
    }
    if partial_credit is not None:
        raw["partial_credit"] = partial_credit
    return make(raw)


def test_search_pick_gives_full_partial_or_no_credit():
    assert score(search(), "city").points == 1.0
    assert score(search(), "radio").points == 0.5
    assert score(search(0.25), "radio").points == 0.25
    assert score(search(), "ad").points == 0.0
    result = score(search(), "radio")
    assert result.correct is False
    assert [f.verdict for f in result.feedback] == ["info", "missed", "partial"]


def test_search_pick_form_needs_one_result():
    with pytest.raises(AnswerError, match="Choose one result"):
        answer_from_form(search(), {"q7": []})


# headline_rating -------------------------------------------------------------

HEADLINES = {
    "id": "q8", "type": "headline_rating", "prompt": "How reliable?",
    "headlines": [
        {"id": "t1", "text": "Library opens Sundays", "accurate": True, "feedback": WHY},
        {"id": "t2", "text": "Council adds bus lanes", "accurate": True, "feedback": WHY},
        {"id": "f1", "text": "Tea cures memory loss", "accurate": False, "feedback": WHY},
        {"id": "f2", "text": "Phones banned Monday", "accurate": False, "feedback": WHY},
    ],
}


def ratings(t1, t2, f1, f2):
    return {"t1": t1, "t2": t2, "f1": f1, "f2": f2}


def test_headline_rating_trusting_everything_scores_zero():
    assert score(make(HEADLINES), ratings(4, 4, 4, 4)).points == 0.0


def test_headline_rating_doubting_everything_scores_zero():
    assert score(make(HEADLINES), ratings(1, 1, 1, 1)).points == 0.0


def test_headline_rating_perfect_discernment_scores_one():
    result = score(make(HEADLINES), ratings(4, 4, 1, 1))
    assert (result.points, result.correct) == (1.0, True)
    assert all(f.verdict == "right" for f in result.feedback)


def test_headline_rating_partial_and_reversed_discernment():
    question = make(HEADLINES)
    # true mean 3.5, false mean 1.5: difference 2 on a scale 3 wide
    assert score(question, ratings(4, 3, 2, 1)).points == pytest.approx(2 / 3, abs=1e-4)
    assert score(question, ratings(1, 1, 4, 4)).points == 0.0


def test_headline_rating_needs_true_and_false_headlines():
    raw = {**HEADLINES, "headlines": [h for h in HEADLINES["headlines"] if h["accurate"]]}
    errors: list = []
    parse_question(raw, Where(Path("modules/demo"), "quiz.yaml", errors))
    assert any("accurate: true" in e.message and "accurate: false" in e.fix for e in errors)


def test_headline_rating_form_needs_every_headline_rated_on_the_scale():
    question = make(HEADLINES)
    form = {"q8.t1": ["4"], "q8.t2": ["3"], "q8.f1": ["1"], "q8.f2": ["2"]}
    assert answer_from_form(question, form) == ratings(4, 3, 1, 2)
    with pytest.raises(AnswerError, match="Rate every headline"):
        answer_from_form(question, {"q8.t1": ["4"]})
    with pytest.raises(AnswerError, match="not one of the choices"):
        answer_from_form(question, {**form, "q8.f2": ["5"]})


# share_decision --------------------------------------------------------------


def post(name):
    return {"display_name": name, "handle": "someone", "time": "2 h", "text": "Something happened."}


SHARE = {
    "id": "q9", "type": "share_decision", "prompt": "Would you share?",
    "posts": [
        {"id": "t1", "post": post("Library"), "accurate": True, "feedback": WHY},
        {"id": "t2", "post": post("Bus company"), "accurate": True, "feedback": WHY},
        {"id": "f1", "post": post("Tech Hacks"), "accurate": False, "feedback": WHY},
        {"id": "f2", "post": post("Giveaway"), "accurate": False, "feedback": WHY},
    ],
}


@pytest.mark.parametrize(
    "shared, points",
    [
        ({"t1": True, "t2": True, "f1": False, "f2": False}, 1.0),
        ({"t1": True, "t2": True, "f1": True, "f2": True}, 0.0),  # sharing everything
        ({"t1": False, "t2": False, "f1": False, "f2": False}, 0.0),  # sharing nothing
        ({"t1": True, "t2": False, "f1": False, "f2": False}, 0.5),
        ({"t1": True, "t2": False, "f1": True, "f2": True}, 0.0),  # floored at zero
    ],
)
def test_share_decision_scores_true_share_rate_minus_false_share_rate(shared, points):
    assert score(make(SHARE), shared).points == points


def test_share_decision_form_reads_share_or_skip_for_every_post():
    question = make(SHARE)
    form = {"q9.t1": ["share"], "q9.t2": ["skip"], "q9.f1": ["skip"], "q9.f2": ["share"]}
    assert answer_from_form(question, form) == {"t1": True, "t2": False, "f1": False, "f2": True}
    with pytest.raises(AnswerError, match="every post"):
        answer_from_form(question, {"q9.t1": ["share"]})


# confidence and reflection ---------------------------------------------------

CONFIDENCE = {"id": "q10", "type": "confidence", "prompt": "How confident are you?", "feedback": WHY}
REFLECTION = {
    "id": "q11", "type": "reflection", "prompt": "What would you check?", "feedback": WHY,
    "min_length": 10, "max_length": 50, "points": 3,
}


def test_confidence_is_recorded_but_never_scored():
    question = make(CONFIDENCE)
    assert answer_from_form(question, {"q10": ["4"]}) == 4
    result = score(question, 4)
    assert (result.points, result.max_points, result.correct) == (0.0, 0.0, None)
    with pytest.raises(AnswerError, match="how confident"):
        answer_from_form(question, {})
    with pytest.raises(AnswerError, match="not one of the choices"):
        answer_from_form(question, {"q10": ["6"]})


def test_confidence_takes_no_points():
    errors: list = []
    parse_question({**CONFIDENCE, "points": 1}, Where(Path("modules/demo"), "quiz.yaml", errors))
    assert [e.path for e in errors] == ["points"]


def test_reflection_waits_for_a_teacher_with_the_points_from_the_data():
    result = score(make(REFLECTION), "I would search for the account's name.")
    assert (result.points, result.max_points, result.needs_marking, result.correct) == (None, 3, True, None)
    assert result.feedback[0].text == WHY


def test_reflection_form_enforces_the_length_limits():
    question = make(REFLECTION)
    assert answer_from_form(question, {"q11": ["  I would check the date.  "]}) == "I would check the date."
    with pytest.raises(AnswerError, match="at least 10 characters; you wrote 3"):
        answer_from_form(question, {"q11": ["Idk"]})
    with pytest.raises(AnswerError, match="50 characters or fewer"):
        answer_from_form(question, {"q11": ["x" * 51]})


def test_scores_of_stored_answers_in_an_unexpected_shape_are_zero_not_errors():
    assert score(make(SINGLE), None).points == 0.0
    assert score(make(ORDERING), {"a": 1}).points == 0.0
    assert score(make(HEADLINES), "oops").points == 0.0
    assert score(make(SHARE), ["t1"]).points == 0.0
