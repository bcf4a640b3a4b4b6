"""Quiz attempts: answers saved as the learner goes, one submission each, scored on the server."""

from __future__ import annotations

import dataclasses
import enum
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint, bindparam, select, update
from sqlalchemy import Enum as SAEnum
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..content import Module
from ..db import Base, UTCDateTime, utcnow
from . import score as score_answer
from .types import Score

SHOW_ANSWERS = ("immediately", "after_submit", "after_last_attempt", "never")
GRADE_POLICIES = ("best", "last")


@dataclass(frozen=True)
class ActivitySettings:
    """Per-activity options, from the LMS link's custom parameters."""

    #: Attempts a learner may make; 0 means no limit.
    attempts: int = 3
    #: Which submitted attempt the gradebook gets: the best or the last.
    grade_policy: str = "best"
    #: Percentage needed to pass.
    pass_mark: int = 60
    #: When the right answers are revealed (the feedback on the learner's own choices is
    #: always shown at once): immediately, after_submit, after_last_attempt or never.
    show_answers: str = "immediately"

    @classmethod
    def from_custom(cls, custom: Mapping[str, str]) -> tuple["ActivitySettings", list[str]]:
        """Read the settings; a value out of range keeps its default and yields a warning."""
        values: dict[str, Any] = {}
        warnings: list[str] = []

        def number(key: str, low: int, high: int) -> None:
            raw = custom.get(key)
            if raw in (None, ""):
                return
            try:
                value = int(str(raw).strip())
            except ValueError:
                value = None
            if value is None or not low <= value <= high:
                warnings.append(f"{key}={raw!r} is not a whole number from {low} to {high}; using {getattr(cls, key)}")
                return
            values[key] = value

        def choice(key: str, allowed: tuple[str, ...]) -> None:
            raw = custom.get(key)
            if raw in (None, ""):
                return
            if str(raw).strip() not in allowed:
                warnings.append(f"{key}={raw!r} is not one of {', '.join(allowed)}; using {getattr(cls, key)}")
                return
            values[key] = str(raw).strip()

        number("attempts", 0, 100)
        number("pass_mark", 0, 100)
        choice("grade_policy", GRADE_POLICIES)
        choice("show_answers", SHOW_ANSWERS)
        return cls(**values), warnings

    def as_custom(self) -> dict[str, str]:
        return {"attempts": str(self.attempts), "grade_policy": self.grade_policy,
                "pass_mark": str(self.pass_mark), "show_answers": self.show_answers}


class AttemptStatus(str, enum.Enum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class Attempt(Base):
    """One learner's go at one activity (a module placed in a course by one LMS link)."""

    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("platform_id", "deployment_id", "context_id", "resource_link_id", "user_sub", "number",
                         name="uq_attempts_learner_number"),
        Index("ix_attempts_activity", "platform_id", "context_id", "resource_link_id"),
    )

    #: Database id.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The school's platform; attempts never cross platforms.
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    #: The deployment the launch came through.
    deployment_id: Mapped[str] = mapped_column(String(255))
    #: The LMS course (empty when the launch had no context).
    context_id: Mapped[str] = mapped_column(String(255), default="")
    #: The LMS link (the activity in the course).
    resource_link_id: Mapped[str] = mapped_column(String(255))
    #: The learner's opaque LTI ``sub``; no name or e-mail is kept.
    user_sub: Mapped[str] = mapped_column(String(255))
    #: The module taken.
    module_id: Mapped[str] = mapped_column(String(100))
    #: 1 for the first attempt, then 2, 3 ...
    number: Mapped[int] = mapped_column(Integer)
    #: In progress until submitted, once.
    status: Mapped[AttemptStatus] = mapped_column(
        SAEnum(AttemptStatus, name="attempt_status", values_callable=lambda e: [m.value for m in e]),
        default=AttemptStatus.IN_PROGRESS,
    )
    #: Checked quiz answers by question id; a checked answer is final for the attempt.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Answers being worked on, saved as the learner goes, not yet checked.
    drafts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Practice answers in the lesson (never graded).
    practice: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The lesson page the learner reached (1-based), to resume there.
    page: Mapped[int] = mapped_column(Integer, default=1)
    #: Points earned on submission (reflections count once marked).
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: Points possible.
    max_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: A written answer waits for the teacher.
    needs_marking: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Teacher marks of written answers by question id: ``{"points": 1.5, "comment": "..."}``.
    marks: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Spaced reviews, kept on the learner's first attempt, by round ("1" a week after the
    #: first submission, "2" a month after): ``{"answers": {...}, "done_at": "..."}``.
    boosters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: When the attempt began.
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When anything was last saved.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When it was submitted.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def percent(self) -> float | None:
        if self.score is None or not self.max_score:
            return None
        return round(100 * self.score / self.max_score, 1)


@dataclass(frozen=True)
class Learner:
    """Who and where: everything that scopes an attempt, taken from the server-side launch."""

    platform_id: int
    deployment_id: str
    context_id: str
    resource_link_id: str
    user_sub: str

    def params(self) -> dict[str, Any]:
        return {"platform_id": self.platform_id, "deployment_id": self.deployment_id, "context_id": self.context_id,
                "resource_link_id": self.resource_link_id, "user_sub": self.user_sub}


#: Built once: every page of an activity runs it.
ATTEMPTS_OF = select(Attempt).where(
    Attempt.platform_id == bindparam("platform_id"),
    Attempt.deployment_id == bindparam("deployment_id"),
    Attempt.context_id == bindparam("context_id"),
    Attempt.resource_link_id == bindparam("resource_link_id"),
    Attempt.user_sub == bindparam("user_sub"),
).order_by(Attempt.number)


def attempts_of(sess: Session, learner: Learner) -> list[Attempt]:
    return list(sess.scalars(ATTEMPTS_OF, learner.params()))


def current_attempt(sess: Session, learner: Learner, module_id: str) -> Attempt:
    """Return the learner's latest attempt, starting the first one if there is none."""
    existing = attempts_of(sess, learner)
    if existing:
        return existing[-1]
    return _start(sess, learner, module_id, 1)


def start_new(sess: Session, learner: Learner, module_id: str, settings: ActivitySettings) -> Attempt | None:
    """Start the next attempt if the last is submitted and attempts remain; else None."""
    existing = attempts_of(sess, learner)
    if existing and existing[-1].status == AttemptStatus.IN_PROGRESS:
        return existing[-1]
    if settings.attempts and len(existing) >= settings.attempts:
        return None
    return _start(sess, learner, module_id, len(existing) + 1)


def _start(sess: Session, learner: Learner, module_id: str, number: int) -> Attempt:
    attempt = Attempt(
        platform_id=learner.platform_id, deployment_id=learner.deployment_id, context_id=learner.context_id,
        resource_link_id=learner.resource_link_id, user_sub=learner.user_sub, module_id=module_id, number=number,
        answers={}, drafts={}, practice={}, marks={}, boosters={},
    )
    sess.add(attempt)
    try:
        sess.commit()
    except IntegrityError:
        # The same learner started it in another tab at the same moment: use theirs.
        sess.rollback()
        return next(a for a in attempts_of(sess, learner) if a.number == number)
    return attempt


def save(sess: Session, attempt: Attempt, **changes: Any) -> None:
    """Save fields of an in-progress attempt (JSON fields are replaced, not mutated)."""
    for key, value in changes.items():
        setattr(attempt, key, value)
    attempt.updated_at = utcnow()
    sess.commit()


def quiz_scores(module: Module, answers: Mapping[str, Any], marks: Mapping[str, Any] | None = None) -> dict[str, Score]:
    """Score every answered quiz question from stored answers, and teacher marks where given."""
    scores = {}
    for q in module.quiz.questions:
        if q.id not in answers:
            continue
        scored = score_answer(q, answers[q.id])
        mark = (marks or {}).get(q.id)
        if scored.needs_marking and isinstance(mark, dict) and isinstance(mark.get("points"), (int, float)):
            points = min(max(float(mark["points"]), 0.0), scored.max_points)
            scored = dataclasses.replace(scored, points=points, needs_marking=False,
                                         correct=math.isclose(points, scored.max_points))
        scores[q.id] = scored
    return scores


@dataclass(frozen=True)
class Total:
    points: float
    max_points: float
    needs_marking: bool


def total(module: Module, answers: Mapping[str, Any], marks: Mapping[str, Any] | None = None) -> Total:
    """Add up an attempt: unanswered questions earn nothing, reflections wait for marking."""
    scores = quiz_scores(module, answers, marks)
    points = sum((s.points or 0.0) for s in scores.values())
    needs_marking = any(s.needs_marking for s in scores.values())
    return Total(round(points, 4), module.quiz.max_points, needs_marking)


def submit(sess: Session, attempt: Attempt, module: Module) -> bool:
    """Submit an in-progress attempt; return False if it was already submitted (a resent form)."""
    now = utcnow()
    changed = sess.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.IN_PROGRESS)
        .values(status=AttemptStatus.SUBMITTED, submitted_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        sess.rollback()
        sess.refresh(attempt)
        return False
    sess.refresh(attempt)
    result = total(module, attempt.answers, attempt.marks)
    attempt.score, attempt.max_score, attempt.needs_marking = result.points, result.max_points, result.needs_marking
    sess.commit()
    return True


def mark(sess: Session, attempt: Attempt, module: Module, marks: Mapping[str, Any]) -> Total:
    """Record a teacher's marks on a submitted attempt and add it up again."""
    attempt.marks = {**(attempt.marks or {}), **marks}
    result = total(module, attempt.answers, attempt.marks)
    attempt.score, attempt.max_score, attempt.needs_marking = result.points, result.max_points, result.needs_marking
    attempt.updated_at = utcnow()
    sess.commit()
    return result


#: Days after the first submission when each booster round falls due.
BOOSTER_DAYS = (7, 30)


def booster_round_due(attempts: list[Attempt], module: Module, now: datetime, early: bool = False) -> int | None:
    """Return the booster round (1 or 2) the learner should take now, if any.

    ``early`` makes the next round due at once (a teacher's preview).
    """
    if module.booster is None or not attempts:
        return None
    submitted = [a.submitted_at for a in attempts if a.status == AttemptStatus.SUBMITTED and a.submitted_at]
    if not submitted:
        return None
    done = attempts[0].boosters or {}
    for number, days in enumerate(BOOSTER_DAYS, start=1):
        if (done.get(str(number)) or {}).get("done_at"):
            continue
        if early or now - min(submitted) >= timedelta(days=days):
            return number
        return None
    return None


def save_booster_answer(sess: Session, attempts: list[Attempt], module: Module, number: int,
                        question_id: str, answer: Any) -> bool:
    """Keep one booster answer; return True when it completes the round."""
    first = attempts[0]
    boosters = dict(first.boosters or {})
    current = dict(boosters.get(str(number)) or {})
    answers = {**(current.get("answers") or {}), question_id: answer}
    current["answers"] = answers
    complete = all(q.id in answers for q in module.booster.questions)
    if complete:
        current["done_at"] = utcnow().isoformat()
    boosters[str(number)] = current
    first.boosters = boosters
    sess.commit()
    return complete


def counted_attempt(attempts: list[Attempt], policy: str) -> Attempt | None:
    """Return the submitted attempt whose score the gradebook shows."""
    submitted = [a for a in attempts if a.status == AttemptStatus.SUBMITTED]
    if not submitted:
        return None
    if policy == "last":
        return submitted[-1]
    return max(submitted, key=lambda a: (a.score or 0.0, a.number))
