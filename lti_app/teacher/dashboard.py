"""Class results worked out from stored attempts: per student, per question, per course.

Everything here is scoped by an ``ActivityScope`` or ``CourseScope`` taken from the
teacher's server-side launch, so one course's or one school's rows can never be mixed in.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import format_decimal, format_percent
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import quiz
from ..content import Module
from ..grades.models import DeliveryStatus, ScoreDelivery
from ..pact.models import PactSignature
from ..quiz.attempts import Attempt, AttemptStatus, counted_attempt, quiz_scores
from .roster import Member, Roster, anonymous_label

#: Question types whose score measures telling true from false content apart.
DISCERNMENT_TYPES = ("headline_rating", "share_decision")


@dataclass(frozen=True)
class CourseScope:
    """One course on one school's platform, through one deployment."""

    platform_id: int
    deployment_id: str
    context_id: str

    def attempts_where(self):
        return (Attempt.platform_id == self.platform_id, Attempt.deployment_id == self.deployment_id,
                Attempt.context_id == self.context_id, ~Attempt.resource_link_id.startswith("preview:"))


@dataclass(frozen=True)
class ActivityScope(CourseScope):
    """One activity (an LMS link) in that course."""

    resource_link_id: str = ""

    def attempts_where(self):
        return (*super().attempts_where(), Attempt.resource_link_id == self.resource_link_id)


@dataclass
class StudentRow:
    sub: str
    label: str
    #: Whether the LMS lists the student as active in the course (True when there is no list).
    active: bool
    attempts: list[Attempt] = field(default_factory=list)
    counted: Attempt | None = None
    delivery: ScoreDelivery | None = None

    @property
    def status(self) -> str:
        """``not_started``, ``in_progress`` or ``submitted``."""
        if not self.attempts:
            return "not_started"
        if any(a.status == AttemptStatus.SUBMITTED for a in self.attempts):
            return "submitted"
        return "in_progress"

    @property
    def reviews_done(self) -> int:
        """Booster reviews finished: 0, 1 (a week after) or 2 (and a month after)."""
        if not self.attempts:
            return 0
        return sum(1 for record in (self.attempts[0].boosters or {}).values() if (record or {}).get("done_at"))

    @property
    def to_mark(self) -> list[Attempt]:
        return [a for a in self.attempts if a.status == AttemptStatus.SUBMITTED and a.needs_marking]

    @property
    def time_spent(self) -> timedelta | None:
        """From the start of the counted (or current) attempt to its submission or last save."""
        attempt = self.counted or (self.attempts[-1] if self.attempts else None)
        if attempt is None:
            return None
        end = attempt.submitted_at or attempt.updated_at
        return end - attempt.started_at if end and attempt.started_at else None


@dataclass(frozen=True)
class WrongAnswer:
    label: str
    feedback: str
    count: int


@dataclass(frozen=True)
class QuestionStats:
    question: quiz.Question
    answered: int
    #: Share of answers that were fully right, in percent; None for unscored questions.
    percent_correct: float | None
    #: Average share of the points earned, in percent.
    mean_percent: float | None
    most_chosen_wrong: WrongAnswer | None
    to_mark: int

    @property
    def discernment(self) -> bool:
        return self.question.type in DISCERNMENT_TYPES


@dataclass
class ClassResults:
    module: Module
    rows: list[StudentRow]
    questions: list[QuestionStats]
    #: The LMS's class list problem, if any, for the teacher.
    roster_problem: str | None
    #: Whether the rows come from the LMS's class list (else: students who opened the activity).
    from_roster: bool

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def to_mark(self) -> int:
        return sum(len(row.to_mark) for row in self.rows)

    @property
    def mean_percent(self) -> float | None:
        values = [row.counted.percent for row in self.rows if row.counted and row.counted.percent is not None]
        return round(sum(values) / len(values), 1) if values else None

    @property
    def histogram(self) -> list[tuple[str, int]]:
        """Counted scores in ten bands: 0-9 %, 10-19 % ... 90-100 %."""
        bands = [0] * 10
        for row in self.rows:
            if row.counted and row.counted.percent is not None:
                bands[min(int(row.counted.percent // 10), 9)] += 1
        return [
            (f"{format_decimal(i * 10)}–{format_percent((i * 10 + 9 if i < 9 else 100) / 100)}", n)
            for i, n in enumerate(bands)
        ]

    @property
    def discernment(self) -> list[QuestionStats]:
        return [q for q in self.questions if q.discernment and q.mean_percent is not None]

    def number(self, stat: QuestionStats) -> str:
        """The question's short label, Q1 for the first quiz question."""
        return f"Q{self.questions.index(stat) + 1}"

    @property
    def question_bars(self) -> list[tuple[str, float | None]]:
        return [(self.number(q), q.percent_correct) for q in self.questions]

    @property
    def discernment_bars(self) -> list[tuple[str, float | None]]:
        return [(self.number(q), q.mean_percent) for q in self.discernment]


def _label(member: Member | None, sub: str) -> str:
    return member.name if member and member.name else anonymous_label(sub)


def class_results(sess: Session, scope: ActivityScope, module: Module, roster: Roster,
                  grade_policy: str = "best") -> ClassResults:
    """Work out the results of one activity for every learner; ``grade_policy`` picks the counted attempt."""
    attempts = list(sess.scalars(select(Attempt).where(*scope.attempts_where()).order_by(Attempt.number)))
    by_sub: dict[str, list[Attempt]] = {}
    for attempt in attempts:
        by_sub.setdefault(attempt.user_sub, []).append(attempt)
    rows: dict[str, StudentRow] = {}
    for member in roster.members or ():
        rows[member.sub] = StudentRow(member.sub, _label(member, member.sub), member.active)
    for sub, mine in by_sub.items():
        row = rows.get(sub)
        if row is None:
            # Opened the activity but not on the LMS's list (left the course, or no list at all).
            row = rows[sub] = StudentRow(sub, anonymous_label(sub), roster.members is None)
        row.attempts = mine
    ids = [a.id for a in attempts]
    latest: dict[str, ScoreDelivery] = {}
    if ids:
        for delivery in sess.scalars(
            select(ScoreDelivery).where(ScoreDelivery.platform_id == scope.platform_id,
                                        ScoreDelivery.attempt_id.in_(ids)).order_by(ScoreDelivery.id)
        ):
            latest[delivery.user_sub] = delivery
    counted_attempts = []
    for row in rows.values():
        row.counted = counted_attempt(row.attempts, grade_policy)
        row.delivery = latest.get(row.sub)
        if row.counted:
            counted_attempts.append(row.counted)
    ordered = sorted(rows.values(), key=lambda r: (r.label.startswith("#"), r.label.lower(), r.sub))
    return ClassResults(module, ordered, question_stats(module, counted_attempts), roster.problem,
                        roster.members is not None)


def question_stats(module: Module, attempts: list[Attempt]) -> list[QuestionStats]:
    """Per quiz question: how many answered, how many were right, the most chosen wrong answer."""
    per_attempt = [quiz_scores(module, a.answers, a.marks) for a in attempts]
    stats = []
    for question in module.quiz.questions:
        scores = [scored[question.id] for scored in per_attempt if question.id in scored]
        scored = [s for s in scores if s.points is not None and s.max_points]
        wrong = Counter()
        texts: dict[str, tuple[str, str]] = {}
        for s in scores:
            for item in s.feedback:
                if item.verdict == "wrong":
                    wrong[item.ref] += 1
                    texts[item.ref] = (str(item.label), item.text)
        most = None
        if wrong:
            ref, count = wrong.most_common(1)[0]
            most = WrongAnswer(texts[ref][0], texts[ref][1], count)
        correct = [s for s in scores if s.correct is not None]
        stats.append(QuestionStats(
            question=question,
            answered=len(scores),
            percent_correct=round(100 * sum(1 for s in correct if s.correct) / len(correct), 1) if correct else None,
            mean_percent=round(100 * sum(s.points / s.max_points for s in scored) / len(scored), 1) if scored else None,
            most_chosen_wrong=most,
            to_mark=sum(1 for s in scores if s.needs_marking),
        ))
    return stats


STATUS_WORDS = {"not_started": "not started", "in_progress": "in progress", "submitted": "submitted"}


def results_csv(results: ClassResults) -> str:
    """The class results as CSV: a row per student, a column per quiz question."""
    out = io.StringIO()
    writer = csv.writer(out)
    questions = results.module.quiz.questions
    writer.writerow(["student", "status", "attempts", "score", "max_score", "percent", "minutes",
                     "submitted_at", "grade_delivery", "reviews_done", *[f"q:{q.id}" for q in questions]])
    for row in results.rows:
        counted = row.counted
        scores = quiz_scores(results.module, counted.answers, counted.marks) if counted else {}
        minutes = round(row.time_spent.total_seconds() / 60, 1) if row.time_spent else ""
        writer.writerow([
            _safe(row.label), STATUS_WORDS[row.status], len(row.attempts),
            counted.score if counted and counted.score is not None else "",
            counted.max_score if counted and counted.max_score is not None else "",
            counted.percent if counted and counted.percent is not None else "",
            minutes, counted.submitted_at.isoformat() if counted and counted.submitted_at else "",
            row.delivery.status.value if row.delivery else "", row.reviews_done,
            *[("" if q.id not in scores or scores[q.id].points is None else scores[q.id].points) for q in questions],
        ])
    return out.getvalue()


def _safe(text: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@dataclass(frozen=True)
class ActivitySummary:
    resource_link_id: str
    module_id: str
    started: int
    submitted: int
    mean_percent: float | None
    to_mark: int


def course_summary(sess: Session, scope: CourseScope) -> list[ActivitySummary]:
    """One line per activity of the course that students have opened."""
    attempts = list(sess.scalars(select(Attempt).where(*scope.attempts_where()).order_by(Attempt.number)))
    groups: dict[tuple[str, str], dict[str, list[Attempt]]] = {}
    for attempt in attempts:
        groups.setdefault((attempt.resource_link_id, attempt.module_id), {}).setdefault(attempt.user_sub, []).append(attempt)
    summaries = []
    for (link, module_id), learners in groups.items():
        counted = [c for c in (counted_attempt(mine, "best") for mine in learners.values()) if c]
        percents = [c.percent for c in counted if c.percent is not None]
        summaries.append(ActivitySummary(
            resource_link_id=link, module_id=module_id, started=len(learners), submitted=len(counted),
            mean_percent=round(sum(percents) / len(percents), 1) if percents else None,
            to_mark=sum(1 for mine in learners.values() for a in mine
                        if a.status == AttemptStatus.SUBMITTED and a.needs_marking),
        ))
    return sorted(summaries, key=lambda s: (s.module_id, s.resource_link_id))


def pact_signatures(sess: Session, scope: CourseScope) -> dict[str, int]:
    """Signatures of the Pact per activity link of the course."""
    counts: Counter[str] = Counter()
    for link in sess.scalars(select(PactSignature.resource_link_id).where(
        PactSignature.platform_id == scope.platform_id, PactSignature.deployment_id == scope.deployment_id,
        PactSignature.context_id == scope.context_id,
    )):
        counts[link] += 1
    return dict(counts)


def failed(row: StudentRow) -> bool:
    return row.delivery is not None and row.delivery.status == DeliveryStatus.FAILED
