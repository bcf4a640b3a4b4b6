"""The registry of question types: how each is read from YAML, read from a form and scored.

Adding a question type is adding one class here, decorated with ``@register``, and its
template ``templates/quiz/types/<name>.html`` (plus a dataclass in ``content/schema.py`` if
no existing question shape fits). Scoring is pure: the same question and answer
always give the same Score, and the score is computed from the stored answer only.

Form inputs are named after the question id (``q3``) or, for one input per item, the
question id and the item id (``q3.b``), so several questions can share one form.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lti_app.content.components import check_url, parse_post
from lti_app.content.fields import Fields, Where, describe
from lti_app.content.schema import (
    Category,
    ChoiceQuestion,
    ConfidenceQuestion,
    CredibleSourceQuestion,
    GradedResult,
    Headline,
    HeadlineRatingQuestion,
    Item,
    MatchingQuestion,
    MatchItem,
    Option,
    OrderingQuestion,
    Question,
    ReflectionQuestion,
    SearchPickQuestion,
    ShareDecisionQuestion,
    ShareItem,
    Source,
    TrueFalseReasonQuestion,
)

#: Submitted form data: input name -> every value sent under it (``MultiDict.to_dict(flat=False)``).
Form = Mapping[str, list[str]]

#: Reliability ratings of headline_rating, lowest to highest.
RATING_MIN, RATING_MAX = 1, 4
#: Confidence ratings of confidence, lowest to highest.
CONFIDENCE_MIN, CONFIDENCE_MAX = 1, 5
#: Grades of a search_pick result.
GRADES = ("best", "acceptable", "poor")


class AnswerError(ValueError):
    """A form that holds no usable answer; the message tells the learner what to do."""


@dataclass(frozen=True)
class Feedback:
    """Feedback on one option or item, in the light of the learner's answer."""

    #: The option or item id; empty for feedback on the whole question.
    ref: str
    #: The option's or item's text (Markdown), so the learner sees what the feedback is about;
    #: a lazily translated word where the option is part of the interface ("True").
    label: str | LazyString
    #: The feedback (Markdown).
    text: str
    #: ``right``: the learner's choice here is right; ``partial``: acceptable but not the best;
    #: ``wrong``: the learner's choice here is not right; ``missed``: a right choice the learner
    #: did not make; ``info``: an option the learner left alone, or an unscored answer.
    verdict: str


@dataclass(frozen=True)
class Score:
    """The result of one answer: points, the most it could earn, and feedback to show."""

    #: None until a teacher marks it (``needs_marking``).
    points: float | None
    max_points: float
    feedback: tuple[Feedback, ...]
    #: Whether the answer is fully right; None when the question is not auto-scored.
    correct: bool | None
    needs_marking: bool = False


class QuestionType(ABC):
    """How one kind of question is read from YAML, read from a form and scored."""

    #: Stable id of the type, written as ``type:`` in YAML and stored with answers.
    name: ClassVar[str]
    #: Whether answers earn points; an unscored type takes no ``points`` key.
    scored: ClassVar[bool] = True

    @property
    def template(self) -> str:
        return f"quiz/types/{self.name}.html"

    @abstractmethod
    def parse(self, raw: Any, where: Where) -> Question:
        """Turn a question's YAML into a typed question, recording problems at ``where``."""

    @abstractmethod
    def answer_from_form(self, question: Any, form: Form) -> Any:
        """Read the learner's answer as JSON-able data, or raise AnswerError."""

    @abstractmethod
    def score(self, question: Any, answer: Any) -> Score:
        """Score a stored answer."""

    def fields(self, raw: Any, where: Where, required: Iterable[str] = (), optional: Iterable[str] = ()) -> Fields:
        points = ("points",) if self.scored else ()
        return Fields(raw, where, required=("id", "type", "prompt", *required), optional=(*optional, *points))

    def common(self, f: Fields) -> dict[str, Any]:
        """Read the keys every question has."""
        return {
            "id": f.ident(),
            "type": self.name,
            "prompt": f.paragraph("prompt"),
            "points": f.number("points", 1.0, minimum=0) if self.scored else 0.0,
        }

    def graded(self, question: Question, fraction: float, feedback: Iterable[Feedback]) -> Score:
        fraction = min(1.0, max(0.0, fraction))
        return Score(
            points=round(question.points * fraction, 4),
            max_points=question.points,
            feedback=tuple(feedback),
            correct=math.isclose(fraction, 1.0),
        )


#: Question type name -> the type.
QUESTION_TYPES: dict[str, QuestionType] = {}
T = TypeVar("T", bound=type[QuestionType])


def register(cls: T) -> T:
    QUESTION_TYPES[cls.name] = cls()
    return cls


def question_type(name: str) -> QuestionType:
    return QUESTION_TYPES[name]


def parse_question(raw: Any, where: Where) -> Question | None:
    """Parse one question with the type its ``type`` key names."""
    if not isinstance(raw, dict):
        where.error(
            f"expected a question (a mapping with id, type and prompt); found {describe(raw)}.",
            "Start the question with '- id: ...' and indent its other keys under it.",
        )
        return None
    name = raw.get("type")
    known = ", ".join(QUESTION_TYPES)
    if name is None:
        where.error("missing 'type'.", f"Add 'type:' with one of: {known}.")
        return None
    if not isinstance(name, str) or name not in QUESTION_TYPES:
        where.child("type", getattr(raw, "key_lines", {}).get("type")).error(
            f"unknown question type {name!r}.", f"Use one of: {known}."
        )
        return None
    return QUESTION_TYPES[name].parse(raw, where)


# Reading forms ---------------------------------------------------------------


def _values(form: Form, name: str) -> list[str]:
    # A MultiDict's get() returns one string; getlist() gives every value, as a dict of lists does.
    values = form.getlist(name) if hasattr(form, "getlist") else form.get(name, [])
    return [value.strip() for value in values if value.strip()]


def _one(form: Form, name: str, allowed: Collection[str], missing: str) -> str:
    values = _values(form, name)
    if not values:
        raise AnswerError(missing)
    if len(values) > 1:
        raise AnswerError(_("Choose only one answer."))
    if values[0] not in allowed:
        raise AnswerError(_("That answer is not one of the choices. Reload the page and try again."))
    return values[0]


def _each(question: Question, items: Iterable[Any], form: Form, allowed: Collection[str], missing: str) -> dict[str, str]:
    """Read one value per item from inputs named ``<question id>.<item id>``."""
    return {item.id: _one(form, f"{question.id}.{item.id}", allowed, missing) for item in items}


# Parsing helpers -------------------------------------------------------------


def parse_option(raw: Any, where: Where) -> Option:
    f = Fields(raw, where, required=("id", "text", "feedback"), optional=("correct",))
    return Option(id=f.ident(), text=f.paragraph("text"), feedback=f.feedback(), correct=f.flag("correct", False))


def parse_item(raw: Any, where: Where) -> Item:
    f = Fields(raw, where, required=("id", "text", "feedback"))
    return Item(id=f.ident(), text=f.paragraph("text"), feedback=f.feedback())


def _require_correct(f: Fields, key: str, entries: tuple[Any, ...], exactly_one: bool) -> None:
    count = sum(1 for entry in entries if entry.correct)
    if entries and (count != 1 if exactly_one else count == 0):
        f.at(key).error(
            f"{count} of the {key} have 'correct: true'.",
            "Mark exactly one of them 'correct: true'." if exactly_one else "Mark at least one of them 'correct: true'.",
        )


def _require_both_kinds(f: Fields, key: str, entries: tuple[Any, ...]) -> None:
    kinds = {entry.accurate for entry in entries}
    if len(kinds) == 1:
        f.at(key).error(
            f"every one of the {key} has 'accurate: {str(kinds.pop()).lower()}'.",
            "Include at least one with 'accurate: true' and one with 'accurate: false', so the "
            "question rewards telling true from false rather than trusting or doubting everything.",
        )


def _choice_feedback(entries: Iterable[Any], chosen: Collection[str], label: Callable[[Any], str]) -> list[Feedback]:
    feedback = []
    for entry in entries:
        if entry.id in chosen:
            verdict = "right" if entry.correct else "wrong"
        else:
            verdict = "missed" if entry.correct else "info"
        feedback.append(Feedback(entry.id, label(entry), entry.feedback, verdict))
    return feedback


def _chosen(answer: Any) -> set[str]:
    """Return the ids a stored answer picked, whatever shape it was saved in."""
    if isinstance(answer, str):
        return {answer}
    if isinstance(answer, list):
        return {value for value in answer if isinstance(value, str)}
    return set()


# The question types ----------------------------------------------------------


@register
class SingleChoice(QuestionType):
    """Pick the one right option."""

    name = "single_choice"

    def parse(self, raw: Any, where: Where) -> ChoiceQuestion:
        f = self.fields(raw, where, required=("options",))
        options = f.items("options", parse_option, minimum=2)
        _require_correct(f, "options", options, exactly_one=True)
        return ChoiceQuestion(**self.common(f), options=options)

    def answer_from_form(self, question: ChoiceQuestion, form: Form) -> str:
        return _one(form, question.id, [o.id for o in question.options], _("Choose an answer."))

    def score(self, question: ChoiceQuestion, answer: Any) -> Score:
        chosen = _chosen(answer)
        fraction = 1.0 if any(o.correct and o.id in chosen for o in question.options) else 0.0
        return self.graded(question, fraction, _choice_feedback(question.options, chosen, lambda o: o.text))


@register
class MultipleChoice(QuestionType):
    """Select all that apply; each wrong pick cancels a right one."""

    name = "multiple_choice"

    def parse(self, raw: Any, where: Where) -> ChoiceQuestion:
        f = self.fields(raw, where, required=("options",))
        options = f.items("options", parse_option, minimum=2)
        _require_correct(f, "options", options, exactly_one=False)
        return ChoiceQuestion(**self.common(f), options=options)

    def answer_from_form(self, question: ChoiceQuestion, form: Form) -> list[str]:
        values = set(_values(form, question.id))
        if not values:
            raise AnswerError(_("Select at least one answer."))
        ids = [o.id for o in question.options]
        if not values <= set(ids):
            raise AnswerError(_("That answer is not one of the choices. Reload the page and try again."))
        return [option_id for option_id in ids if option_id in values]

    def score(self, question: ChoiceQuestion, answer: Any) -> Score:
        chosen = _chosen(answer)
        right = sum(1 for o in question.options if o.correct and o.id in chosen)
        wrong = sum(1 for o in question.options if not o.correct and o.id in chosen)
        total = sum(1 for o in question.options if o.correct)
        feedback = _choice_feedback(question.options, chosen, lambda o: o.text)
        return self.graded(question, (right - wrong) / total, feedback)


@register
class TrueFalseReason(QuestionType):
    """Two tiers: is the statement true, and why; the answer alone earns half."""

    name = "true_false_reason"
    VERDICT_LABELS = {True: _l("True"), False: _l("False")}

    def parse(self, raw: Any, where: Where) -> TrueFalseReasonQuestion:
        f = self.fields(raw, where, required=("answer", "feedback_if_true", "feedback_if_false", "reasons"))
        reasons = f.items("reasons", parse_option, minimum=2)
        _require_correct(f, "reasons", reasons, exactly_one=True)
        return TrueFalseReasonQuestion(
            **self.common(f),
            answer=f.flag("answer", False),
            feedback_if_true=f.feedback("feedback_if_true"),
            feedback_if_false=f.feedback("feedback_if_false"),
            reasons=reasons,
        )

    def answer_from_form(self, question: TrueFalseReasonQuestion, form: Form) -> dict[str, Any]:
        verdict = _one(form, f"{question.id}.verdict", ("true", "false"), _("Say whether the statement is true or false."))
        reason = _one(form, f"{question.id}.reason", [r.id for r in question.reasons], _("Choose the reason that fits best."))
        return {"verdict": verdict == "true", "reason": reason}

    def score(self, question: TrueFalseReasonQuestion, answer: Any) -> Score:
        answer = answer if isinstance(answer, dict) else {}
        said = answer.get("verdict")
        chosen = _chosen(answer.get("reason"))
        feedback = []
        for value, text in ((True, question.feedback_if_true), (False, question.feedback_if_false)):
            if said is value:
                verdict = "right" if value is question.answer else "wrong"
            else:
                verdict = "missed" if value is question.answer else "info"
            feedback.append(Feedback(str(value).lower(), self.VERDICT_LABELS[value], text, verdict))
        feedback += _choice_feedback(question.reasons, chosen, lambda r: r.text)
        reason_right = any(r.correct and r.id in chosen for r in question.reasons)
        fraction = (1.0 if reason_right else 0.5) if said is question.answer else 0.0
        return self.graded(question, fraction, feedback)


@register
class Ordering(QuestionType):
    """Put items in order; each item in its right position earns its share."""

    name = "ordering"

    def parse(self, raw: Any, where: Where) -> OrderingQuestion:
        f = self.fields(raw, where, required=("items", "order"))
        items = f.items("items", parse_item, minimum=2)
        order = f.texts("order", minimum=2)
        ids = [item.id for item in items]
        if items and order and sorted(order) != sorted(ids):
            f.at("order").error(
                "'order' must list every item id exactly once.", f"Write the ids {', '.join(ids)} in the right order."
            )
        elif items and tuple(ids) == order:
            f.at("order").error(
                "the items are listed in the right order, so the question gives its answer away.",
                "List the items in a mixed-up order; 'order' says which order is right.",
            )
        return OrderingQuestion(**self.common(f), items=items, order=order)

    def answer_from_form(self, question: OrderingQuestion, form: Form) -> list[str]:
        count = len(question.items)
        positions = _each(
            question, question.items, form, [str(n) for n in range(1, count + 1)], _("Give every item a position.")
        )
        if len(set(positions.values())) != count:
            raise AnswerError(_("Give each item a different position."))
        return sorted(positions, key=lambda item_id: int(positions[item_id]))

    def score(self, question: OrderingQuestion, answer: Any) -> Score:
        placed = answer if isinstance(answer, list) else []
        items = {item.id: item for item in question.items}
        feedback = []
        for position, item_id in enumerate(question.order):
            in_place = position < len(placed) and placed[position] == item_id
            item = items[item_id]
            feedback.append(Feedback(item.id, item.text, item.feedback, "right" if in_place else "wrong"))
        right = sum(1 for f in feedback if f.verdict == "right")
        return self.graded(question, right / len(question.order), feedback)


@register
class Matching(QuestionType):
    """Sort items into categories; each item in its right category earns its share."""

    name = "matching"

    def parse(self, raw: Any, where: Where) -> MatchingQuestion:
        f = self.fields(raw, where, required=("categories", "items"))
        categories = f.items("categories", self._category, minimum=2)
        category_ids = [c.id for c in categories]

        def item(raw_item: Any, item_where: Where) -> MatchItem:
            g = Fields(raw_item, item_where, required=("id", "text", "category", "feedback"))
            return MatchItem(
                id=g.ident(),
                text=g.paragraph("text"),
                feedback=g.feedback(),
                category=g.choice("category", category_ids) if category_ids else g.text("category"),
            )

        return MatchingQuestion(**self.common(f), categories=categories, items=f.items("items", item, minimum=2))

    @staticmethod
    def _category(raw: Any, where: Where) -> Category:
        f = Fields(raw, where, required=("id", "text"))
        return Category(id=f.ident(), text=f.paragraph("text"))

    def answer_from_form(self, question: MatchingQuestion, form: Form) -> dict[str, str]:
        category_ids = [c.id for c in question.categories]
        return _each(question, question.items, form, category_ids, _("Put every item in a category."))

    def score(self, question: MatchingQuestion, answer: Any) -> Score:
        placed = answer if isinstance(answer, dict) else {}
        feedback = [
            Feedback(item.id, item.text, item.feedback, "right" if placed.get(item.id) == item.category else "wrong")
            for item in question.items
        ]
        right = sum(1 for f in feedback if f.verdict == "right")
        return self.graded(question, right / len(question.items), feedback)


@register
class CredibleSource(QuestionType):
    """Pick the most credible of two to four described sources."""

    name = "credible_source"

    def parse(self, raw: Any, where: Where) -> CredibleSourceQuestion:
        f = self.fields(raw, where, required=("sources",))
        sources = f.items("sources", self._source, minimum=2, maximum=4)
        _require_correct(f, "sources", sources, exactly_one=True)
        return CredibleSourceQuestion(**self.common(f), sources=sources)

    @staticmethod
    def _source(raw: Any, where: Where) -> Source:
        f = Fields(raw, where, required=("id", "name", "description", "feedback"), optional=("correct",))
        return Source(
            id=f.ident(),
            name=f.line("name"),
            description=f.paragraph("description"),
            feedback=f.feedback(),
            correct=f.flag("correct", False),
        )

    def answer_from_form(self, question: CredibleSourceQuestion, form: Form) -> str:
        return _one(form, question.id, [s.id for s in question.sources], _("Choose one source."))

    def score(self, question: CredibleSourceQuestion, answer: Any) -> Score:
        chosen = _chosen(answer)
        fraction = 1.0 if any(s.correct and s.id in chosen for s in question.sources) else 0.0
        return self.graded(question, fraction, _choice_feedback(question.sources, chosen, lambda s: s.name))


@register
class SearchPick(QuestionType):
    """Pick the best result on a mock search page; an acceptable one earns partial credit."""

    name = "search_pick"

    def parse(self, raw: Any, where: Where) -> SearchPickQuestion:
        f = self.fields(raw, where, required=("query", "results"), optional=("partial_credit",))
        results = f.items("results", self._result, minimum=2, maximum=10)
        best = sum(1 for r in results if r.grade == "best")
        if results and best != 1:
            f.at("results").error(f"{best} of the results have 'grade: best'.", "Give exactly one result 'grade: best'.")
        return SearchPickQuestion(
            **self.common(f),
            query=f.text("query"),
            results=results,
            partial_credit=f.number("partial_credit", 0.5, minimum=0, maximum=1),
        )

    @staticmethod
    def _result(raw: Any, where: Where) -> GradedResult:
        f = Fields(raw, where, required=("id", "title", "url", "snippet", "grade", "feedback"), optional=("ad",))
        return GradedResult(
            id=f.ident(),
            title=f.line("title"),
            url=check_url(f),
            snippet=f.paragraph("snippet"),
            ad=f.flag("ad", False),
            grade=f.choice("grade", GRADES, "poor"),
            feedback=f.feedback(),
        )

    def answer_from_form(self, question: SearchPickQuestion, form: Form) -> str:
        return _one(form, question.id, [r.id for r in question.results], _("Choose one result."))

    def score(self, question: SearchPickQuestion, answer: Any) -> Score:
        chosen = _chosen(answer)
        credit = {"best": 1.0, "acceptable": question.partial_credit, "poor": 0.0}
        fraction = 0.0
        feedback = []
        for result in question.results:
            if result.id in chosen:
                fraction = credit[result.grade]
                verdict = {"best": "right", "acceptable": "partial", "poor": "wrong"}[result.grade]
            else:
                verdict = "missed" if result.grade == "best" else "info"
            feedback.append(Feedback(result.id, result.title, result.feedback, verdict))
        return self.graded(question, fraction, feedback)


@register
class HeadlineRating(QuestionType):
    """Rate true and false headlines for reliability; the score measures telling them apart.

    Discernment is the mean rating of the true headlines minus the mean rating of the false
    ones, as a share of the scale's width: rating everything alike, high or low, scores 0.
    """

    name = "headline_rating"

    def parse(self, raw: Any, where: Where) -> HeadlineRatingQuestion:
        f = self.fields(raw, where, required=("headlines",))
        headlines = f.items("headlines", self._headline, minimum=2)
        _require_both_kinds(f, "headlines", headlines)
        return HeadlineRatingQuestion(**self.common(f), headlines=headlines)

    @staticmethod
    def _headline(raw: Any, where: Where) -> Headline:
        f = Fields(raw, where, required=("id", "text", "accurate", "feedback"), optional=("source",))
        return Headline(
            id=f.ident(),
            text=f.line("text"),
            source=f.line("source"),
            accurate=f.flag("accurate", False),
            feedback=f.feedback(),
        )

    def answer_from_form(self, question: HeadlineRatingQuestion, form: Form) -> dict[str, int]:
        scale = [str(n) for n in range(RATING_MIN, RATING_MAX + 1)]
        ratings = _each(question, question.headlines, form, scale, _("Rate every headline."))
        return {headline_id: int(rating) for headline_id, rating in ratings.items()}

    def score(self, question: HeadlineRatingQuestion, answer: Any) -> Score:
        ratings = answer if isinstance(answer, dict) else {}

        def mean(accurate: bool) -> float:
            given = [
                ratings[h.id] for h in question.headlines
                if h.accurate is accurate and isinstance(ratings.get(h.id), int)
            ]
            return sum(given) / len(given) if given else (RATING_MIN + RATING_MAX) / 2

        discernment = max(0.0, mean(True) - mean(False)) / (RATING_MAX - RATING_MIN)
        middle = (RATING_MIN + RATING_MAX) / 2
        feedback = []
        for h in question.headlines:
            rating = ratings.get(h.id)
            if not isinstance(rating, int):
                verdict = "info"
            else:
                verdict = "right" if (rating > middle) is h.accurate else "wrong"
            feedback.append(Feedback(h.id, h.text, h.feedback, verdict))
        return self.graded(question, discernment, feedback)


@register
class ShareDecision(QuestionType):
    """Share or not, post by post; the score is the share rate of true posts minus that of false ones."""

    name = "share_decision"

    def parse(self, raw: Any, where: Where) -> ShareDecisionQuestion:
        f = self.fields(raw, where, required=("posts",))
        posts = f.items("posts", self._post, minimum=2)
        _require_both_kinds(f, "posts", posts)
        return ShareDecisionQuestion(**self.common(f), posts=posts)

    @staticmethod
    def _post(raw: Any, where: Where) -> ShareItem:
        f = Fields(raw, where, required=("id", "post", "accurate", "feedback"))
        return ShareItem(
            id=f.ident(),
            post=f.nested("post", parse_post),
            accurate=f.flag("accurate", False),
            feedback=f.feedback(),
        )

    def answer_from_form(self, question: ShareDecisionQuestion, form: Form) -> dict[str, bool]:
        decisions = _each(
            question, question.posts, form, ("share", "skip"), _("Decide for every post: share or don't share.")
        )
        return {post_id: decision == "share" for post_id, decision in decisions.items()}

    def score(self, question: ShareDecisionQuestion, answer: Any) -> Score:
        shared = answer if isinstance(answer, dict) else {}

        def share_rate(accurate: bool) -> float:
            posts = [p for p in question.posts if p.accurate is accurate]
            return sum(1 for p in posts if shared.get(p.id) is True) / len(posts)

        feedback = []
        for item in question.posts:
            decided = shared.get(item.id)
            if not isinstance(decided, bool):
                verdict = "info"
            elif decided:
                verdict = "right" if item.accurate else "wrong"
            else:
                verdict = "missed" if item.accurate else "right"
            feedback.append(Feedback(item.id, item.post.display_name, item.feedback, verdict))
        return self.graded(question, share_rate(True) - share_rate(False), feedback)


@register
class Confidence(QuestionType):
    """How confident the learner is, 1 to 5: recorded, never scored."""

    name = "confidence"
    scored = False

    def parse(self, raw: Any, where: Where) -> ConfidenceQuestion:
        f = self.fields(raw, where, required=("feedback",))
        return ConfidenceQuestion(**self.common(f), feedback=f.feedback())

    def answer_from_form(self, question: ConfidenceQuestion, form: Form) -> int:
        scale = [str(n) for n in range(CONFIDENCE_MIN, CONFIDENCE_MAX + 1)]
        return int(_one(form, question.id, scale, _("Choose how confident you are.")))

    def score(self, question: ConfidenceQuestion, answer: Any) -> Score:
        return Score(0.0, 0.0, (Feedback("", "", question.feedback, "info"),), correct=None)


@register
class Reflection(QuestionType):
    """A short written answer, marked by a teacher rather than scored here."""

    name = "reflection"

    def parse(self, raw: Any, where: Where) -> ReflectionQuestion:
        f = self.fields(raw, where, required=("feedback",), optional=("min_length", "max_length"))
        min_length = f.integer("min_length", 20, minimum=1)
        max_length = f.integer("max_length", 1000, minimum=1, maximum=10000)
        if min_length >= max_length:
            f.at("max_length").error(
                f"max_length ({max_length}) is not above min_length ({min_length}).", "Make max_length the larger one."
            )
        return ReflectionQuestion(**self.common(f), feedback=f.feedback(), min_length=min_length, max_length=max_length)

    def answer_from_form(self, question: ReflectionQuestion, form: Form) -> str:
        text = "\n".join(_values(form, question.id))
        if len(text) < question.min_length:
            raise AnswerError(
                _("Write at least %(min)d characters; you wrote %(count)d.", min=question.min_length, count=len(text))
            )
        if len(text) > question.max_length:
            raise AnswerError(
                _("Keep your answer to %(max)d characters or fewer; it has %(count)d.", max=question.max_length, count=len(text))
            )
        return text

    def score(self, question: ReflectionQuestion, answer: Any) -> Score:
        feedback = (Feedback("", "", question.feedback, "info"),)
        return Score(None, question.points, feedback, correct=None, needs_marking=True)
