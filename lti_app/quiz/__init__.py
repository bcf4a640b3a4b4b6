"""Quiz questions: the type registry, reading answers from forms, scoring and rendering."""

from __future__ import annotations

from typing import Any

from flask import render_template
from markupsafe import Markup

from lti_app.content.schema import Question

from .types import QUESTION_TYPES, AnswerError, Feedback, Form, QuestionType, Score, parse_question, question_type

__all__ = [
    "QUESTION_TYPES", "AnswerError", "Feedback", "Form", "QuestionType", "Score", "answer_from_form",
    "parse_question", "question_type", "render_feedback", "render_question", "score",
]


def answer_from_form(question: Question, form: Form) -> Any:
    """Read a learner's answer to ``question`` from submitted form data, or raise AnswerError."""
    return question_type(question.type).answer_from_form(question, form)


def score(question: Question, answer: Any) -> Score:
    """Score a stored answer to ``question``."""
    return question_type(question.type).score(question, answer)


def render_question(question: Question, answer: Any = None) -> Markup:
    """Render the question as a form fragment, with ``answer`` (a stored answer) filled in."""
    return Markup(render_template(question_type(question.type).template, question=question, answer=answer))


def render_feedback(question: Question, result: Score) -> Markup:
    """Render the points and per-option feedback of a scored answer."""
    return Markup(render_template("quiz/feedback.html", question=question, score=result))
