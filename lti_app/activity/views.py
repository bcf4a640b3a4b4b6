"""What a launch lands on: the lesson, the quiz with immediate feedback, and the result.

Every request finds its launch by the id in the URL; who the learner is, their role and
their course come from that server-side launch, never from the browser.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import logging

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from sqlalchemy import select

from .. import content, db, quiz
from ..db import utcnow
from ..grades import outbox
from ..grades.models import DeliveryStatus, ScoreDelivery
from ..lti.launch import Launch, load_launch
from ..quiz.attempts import (
    ActivitySettings,
    Attempt,
    AttemptStatus,
    Learner,
    attempts_of,
    booster_round_due,
    counted_attempt,
    current_attempt,
    quiz_scores,
    save,
    save_booster_answer,
    start_new,
    submit,
)

log = logging.getLogger(__name__)

bp = Blueprint("activity", __name__, url_prefix="/l/<launch_id>")

AGS_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
AGS_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"


# --------------------------------------------------------------------------- loading


def load_launch_from_url(endpoint, values):
    """Find the launch named in the URL (every page after a launch has its id)."""
    g.launch = load_launch(values["launch_id"])
    # Registered a second time as "preview" under /l/<launch_id>/preview/<module_id>.
    g.preview_module_id = values.pop("module_id", None)


def launch_id_default(endpoint, values):
    if "launch_id" not in values and g.get("launch") is not None:
        values["launch_id"] = g.launch.id
    if endpoint.startswith("preview.") and "module_id" not in values and g.get("preview_module_id"):
        values["module_id"] = g.preview_module_id


bp.url_value_preprocessor(load_launch_from_url)
bp.url_defaults(launch_id_default)

#: A teacher's own answers are kept apart from the class's, under this link id.
PREVIEW_LINK = "preview:{module_id}"


def csrf_token(launch: Launch) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, launch.id.encode(), hashlib.sha256).hexdigest()


@bp.before_request
def _check_csrf():
    if request.method == "POST":
        sent = request.form.get("csrf", "")
        if not hmac.compare_digest(sent, csrf_token(g.launch)):
            abort(400)


@bp.app_context_processor
def _globals():
    launch = g.get("launch")
    return {"csrf": csrf_token(launch) if launch else "", "quiz": quiz}


@dataclasses.dataclass
class Activity:
    launch: Launch
    module: content.Module
    settings: ActivitySettings
    warnings: list[str]
    learner: Learner

    @property
    def grades_go_to_lms(self) -> bool:
        return grades_go_to_lms(self.launch)

    @property
    def lineitem_key(self) -> str:
        return lineitem_key(self.launch)


def _lineitem_tag(launch: Launch) -> str:
    return f"milclicks:{launch.resource_link.get('id')}"


def lineitem_key(launch: Launch) -> str:
    """The link's line item URL, or a stable key for the one the tool creates for the link."""
    ags = launch.ags
    return ags.get("lineitem") or f"{ags['lineitems']}#tag={_lineitem_tag(launch)}"


def lms_score(launch: Launch, *, label: str, resource_id: str, score_given: float | None, score_maximum: float,
              attempt_id: int | None = None, grading_progress: str = "FullyGraded") -> outbox.ScoreToSend:
    """A learner's score for the launch's link: to its line item, or to one the tool creates."""
    ags = launch.ags
    new_lineitem = None if ags.get("lineitem") else {
        "lineitems": ags["lineitems"], "label": label, "scoreMaximum": score_maximum, "resourceId": resource_id,
        "resourceLinkId": str(launch.resource_link.get("id")), "tag": _lineitem_tag(launch),
    }
    return outbox.ScoreToSend(
        platform_id=launch.platform_id, lineitem_url=lineitem_key(launch), scopes=list(ags["scope"]),
        new_lineitem=new_lineitem, user_sub=launch.sub, attempt_id=attempt_id, score_given=score_given,
        score_maximum=score_maximum, activity_progress="Completed", grading_progress=grading_progress,
    )


def grades_go_to_lms(launch: Launch) -> bool:
    """A learner's launch whose LMS takes scores: into the link's line item, or into one
    the tool may create (Moodle's "grade sync and column management")."""
    ags = launch.ags or {}
    scopes = ags.get("scope") or []
    if launch.role.is_staff or AGS_SCORE not in scopes:
        return False
    return bool(ags.get("lineitem")) or (bool(ags.get("lineitems")) and AGS_LINEITEM in scopes)


def load_activity() -> Activity:
    """Load the activity this request is about, and who is taking it.

    Staff never take the class's activity: their answers go to a preview of their own,
    which is also how a teacher tries any module from the picker.
    """
    launch: Launch = g.launch
    preview_id = g.get("preview_module_id")
    if preview_id is not None and not launch.role.is_staff:
        abort(403)
    if preview_id is None and launch.is_deep_linking:
        abort(404)
    module_id = preview_id if preview_id is not None else launch.custom.get("module_id", "")
    module = content.catalogue().get(module_id) if module_id else None
    if module is None:
        log.warning("launch %s names no known module (module_id=%r)", launch.id, module_id)
        raise NoModule(module_id)
    module = content.localized(module)
    same_module = not launch.is_deep_linking and launch.custom.get("module_id") == module.id
    settings, warnings = ActivitySettings.from_custom(launch.custom) if same_module else (ActivitySettings(), [])
    link_id = str((launch.resource_link or {}).get("id", ""))
    if launch.role.is_staff:
        link_id = PREVIEW_LINK.format(module_id=module.id)
    learner = Learner(launch.platform_id, launch.deployment_id, str(launch.context.get("id", "")), link_id, launch.sub)
    return Activity(launch, module, settings, warnings, learner)


class NoModule(Exception):
    def __init__(self, module_id: str):
        super().__init__(module_id)
        self.module_id = module_id


@bp.errorhandler(NoModule)
def _no_module(err: NoModule):
    return render_template("activity/no_module.html", module_id=err.module_id), 404


def _attempt(activity: Activity) -> Attempt:
    return current_attempt(db.session(), activity.learner, activity.module.id)


def _reveal(activity: Activity, attempt: Attempt) -> bool:
    """Whether the right answers may be shown for this attempt now."""
    policy = activity.settings.show_answers
    if policy == "immediately":
        return True
    if policy == "after_submit":
        return attempt.status == AttemptStatus.SUBMITTED
    if policy == "after_last_attempt":
        used = len(attempts_of(db.session(), activity.learner))
        last = activity.settings.attempts and used >= activity.settings.attempts
        return attempt.status == AttemptStatus.SUBMITTED and bool(last)
    return False


def shown(score: quiz.Score, reveal: bool) -> quiz.Score:
    """Hide the right answers the learner missed until the activity allows showing them."""
    if reveal:
        return score
    return dataclasses.replace(score, feedback=tuple(f for f in score.feedback if f.verdict != "missed"))


# --------------------------------------------------------------------------- pages


@bp.get("/")
def home(launch_id: str):
    return redirect(entry_url())


def entry_url() -> str:
    """Where the launch in ``g.launch`` starts: the picker, a teacher's page, the Pact, or
    the learner's place in the activity (a new attempt starts here)."""
    launch: Launch = g.launch
    if launch.is_deep_linking:
        if launch.role.is_staff:
            return url_for("picker.choose")
        abort(403)
    if launch.custom.get("activity") == "pact" and g.get("preview_module_id") is None:
        return url_for("pact.pact_page")
    if launch.role.is_staff and g.get("preview_module_id") is None:
        if launch.custom.get("module_id"):
            return url_for("teacher.overview")
        return url_for("teacher.course")
    activity = load_activity()
    attempt = _attempt(activity)
    if attempt.status == AttemptStatus.SUBMITTED:
        if _booster_due(activity) and not activity.launch.role.is_staff:
            return url_for("activity.review")  # back a week or a month later: review first
        return url_for("activity.result")
    return url_for("activity.lesson", page=attempt.page)


@bp.post("/restart")
def reset_preview(launch_id: str):
    """Let a teacher start the preview again from the first page."""
    activity = load_activity()
    if not activity.launch.role.is_staff:
        abort(403)
    for attempt in attempts_of(db.session(), activity.learner):
        db.session().delete(attempt)
    db.session().commit()
    return redirect(url_for(".lesson", page=1), 303)


@bp.get("/lesson/<int:page>")
def lesson(launch_id: str, page: int):
    activity = load_activity()
    pages = activity.module.pages
    if not 1 <= page <= len(pages):
        abort(404)
    attempt = _attempt(activity)
    if attempt.status == AttemptStatus.IN_PROGRESS and attempt.page != page:
        save(db.session(), attempt, page=page)
    return _render_lesson(activity, attempt, page, {})


def _render_lesson(activity: Activity, attempt: Attempt, page: int, errors: dict[str, str], status: int = 200):
    lesson_page = activity.module.pages[page - 1]
    practice = [
        (q, attempt.practice.get(q.id), quiz.score(q, attempt.practice[q.id]) if q.id in attempt.practice else None)
        for q in lesson_page.practice
    ]
    return render_template(
        "activity/lesson.html", activity=activity, attempt=attempt, page=page, lesson_page=lesson_page,
        body=content.render_page(activity.module, lesson_page), practice=practice, errors=errors,
    ), status


@bp.post("/lesson/<int:page>")
def check_practice(launch_id: str, page: int):
    activity = load_activity()
    pages = activity.module.pages
    if not 1 <= page <= len(pages):
        abort(404)
    question = next((q for q in pages[page - 1].practice if q.id == request.form.get("question")), None)
    if question is None:
        abort(400)
    attempt = _attempt(activity)
    try:
        answer = quiz.answer_from_form(question, request.form)
    except quiz.AnswerError as err:
        return _render_lesson(activity, attempt, page, {question.id: str(err)}, 422)
    save(db.session(), attempt, practice={**attempt.practice, question.id: answer})
    return redirect(url_for(".lesson", page=page, _anchor=f"q-{question.id}"), 303)


@bp.get("/quiz")
def quiz_page(launch_id: str):
    activity = load_activity()
    attempt = _attempt(activity)
    if attempt.status == AttemptStatus.SUBMITTED:
        return redirect(url_for(".result"))
    return _render_quiz(activity, attempt, {})


def _render_quiz(activity: Activity, attempt: Attempt, errors: dict[str, str], status: int = 200):
    reveal = _reveal(activity, attempt)
    scores = quiz_scores(activity.module, attempt.answers)
    items = [
        (q, attempt.answers.get(q.id, attempt.drafts.get(q.id)), shown(scores[q.id], reveal) if q.id in scores else None)
        for q in activity.module.quiz.questions
    ]
    answered = sum(1 for q in activity.module.quiz.questions if q.id in attempt.answers)
    return render_template("activity/quiz.html", activity=activity, attempt=attempt, items=items,
                           answered=answered, errors=errors), status


def _quiz_question(activity: Activity) -> quiz.Question:
    question = activity.module.question(request.form.get("question", ""))
    if question is None or question not in activity.module.quiz.questions:
        abort(400)
    return question


@bp.post("/quiz/answer")
def answer(launch_id: str):
    activity = load_activity()
    attempt = _attempt(activity)
    if attempt.status == AttemptStatus.SUBMITTED:
        return redirect(url_for(".result"), 303)
    question = _quiz_question(activity)
    if question.id in attempt.answers:
        # Already checked: the answer stands for this attempt (a resent form changes nothing).
        return redirect(url_for(".quiz_page", _anchor=f"q-{question.id}"), 303)
    try:
        value = quiz.answer_from_form(question, request.form)
    except quiz.AnswerError as err:
        return _render_quiz(activity, attempt, {question.id: str(err)}, 422)
    drafts = {k: v for k, v in attempt.drafts.items() if k != question.id}
    save(db.session(), attempt, answers={**attempt.answers, question.id: value}, drafts=drafts)
    return redirect(url_for(".quiz_page", _anchor=f"q-{question.id}"), 303)


@bp.post("/quiz/draft")
def draft(launch_id: str):
    """Keep an unfinished answer as the learner types or clicks (called by autosave.js)."""
    activity = load_activity()
    attempt = _attempt(activity)
    question = _quiz_question(activity)
    if attempt.status != AttemptStatus.IN_PROGRESS or question.id in attempt.answers:
        return {"saved": False}, 409
    try:
        value = quiz.answer_from_form(question, request.form)
    except quiz.AnswerError:
        return {"saved": False}, 200  # not complete yet: nothing to keep
    save(db.session(), attempt, drafts={**attempt.drafts, question.id: value})
    return {"saved": True}


@bp.post("/quiz/submit")
def submit_quiz(launch_id: str):
    activity = load_activity()
    attempt = _attempt(activity)
    if request.form.get("attempt") != str(attempt.id):
        return redirect(url_for(".result"), 303)  # a form from an earlier attempt
    if submit(db.session(), attempt, activity.module):
        _queue_grade(activity)
        log.info("attempt %s submitted: %s/%s", attempt.id, attempt.score, attempt.max_score)
    return redirect(url_for(".result"), 303)


def _queue_grade(activity: Activity) -> None:
    if not activity.grades_go_to_lms:
        return
    attempts = attempts_of(db.session(), activity.learner)
    counted = counted_attempt(attempts, activity.settings.grade_policy)
    if counted is None:
        return
    outbox.enqueue(db.session(), lms_score(
        activity.launch, label=activity.module.title, resource_id=activity.module.id, attempt_id=counted.id,
        score_given=counted.score, score_maximum=counted.max_score or 0.0,
        grading_progress="PendingManual" if counted.needs_marking else "FullyGraded",
    ))


@bp.get("/result")
def result(launch_id: str):
    activity = load_activity()
    attempts = attempts_of(db.session(), activity.learner)
    submitted = [a for a in attempts if a.status == AttemptStatus.SUBMITTED]
    if not submitted:
        return redirect(url_for(".home"))
    latest = submitted[-1]
    reveal = _reveal(activity, latest)
    scores = quiz_scores(activity.module, latest.answers, latest.marks)
    items = [(q, latest.answers.get(q.id), shown(scores[q.id], reveal) if q.id in scores else None)
             for q in activity.module.quiz.questions]
    counted = counted_attempt(attempts, activity.settings.grade_policy)
    delivery = None
    if activity.grades_go_to_lms:
        delivery = db.session().scalar(
            select(ScoreDelivery).where(
                ScoreDelivery.platform_id == activity.learner.platform_id,
                ScoreDelivery.user_sub == activity.learner.user_sub,
                ScoreDelivery.lineitem_url == activity.lineitem_key,
            ).order_by(ScoreDelivery.id.desc()).limit(1)
        )
    can_retry = attempts[-1].status == AttemptStatus.SUBMITTED and (
        not activity.settings.attempts or len(attempts) < activity.settings.attempts)
    return render_template(
        "activity/result.html", activity=activity, attempt=latest, review_due=_booster_due(activity), counted=counted, items=items,
        delivery=delivery, DeliveryStatus=DeliveryStatus, can_retry=can_retry, attempts_used=len(attempts),
        passed=(counted.percent or 0) >= activity.settings.pass_mark if counted else False,
    )


def _booster_due(activity: Activity) -> int | None:
    return booster_round_due(attempts_of(db.session(), activity.learner), activity.module, utcnow(),
                             early=activity.launch.role.is_staff)


@bp.route("/review", methods=["GET", "POST"])
def review(launch_id: str):
    """The spaced review: the module's three booster questions, a week and a month after the quiz."""
    activity = load_activity()
    number = _booster_due(activity)
    if number is None:
        return redirect(url_for(".result"), 303)
    attempts = attempts_of(db.session(), activity.learner)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        question = next((q for q in activity.module.booster.questions if q.id == request.form.get("question")), None)
        if question is None:
            abort(400)
        try:
            answer = quiz.answer_from_form(question, request.form)
        except quiz.AnswerError as err:
            errors[question.id], status = str(err), 422
        else:
            if save_booster_answer(db.session(), attempts, activity.module, number, question.id, answer):
                return redirect(url_for(".review_done", round=number), 303)
            return redirect(url_for(".review", _anchor=f"q-{question.id}"), 303)
    answers = ((attempts[0].boosters or {}).get(str(number)) or {}).get("answers") or {}
    items = [(q, answers.get(q.id), quiz.score(q, answers[q.id]) if q.id in answers else None)
             for q in activity.module.booster.questions]
    return render_template("activity/review.html", activity=activity, items=items, number=number,
                           errors=errors), status


@bp.get("/review/done")
def review_done(launch_id: str):
    activity = load_activity()
    attempts = attempts_of(db.session(), activity.learner)
    if not attempts:
        return redirect(url_for(".home"))
    number = request.args.get("round", "1")
    record = (attempts[0].boosters or {}).get(number) or {}
    if not record.get("done_at"):
        return redirect(url_for(".review"))
    items = [(q, record["answers"].get(q.id), quiz.score(q, record["answers"][q.id]))
             for q in activity.module.booster.questions if q.id in record["answers"]]
    right = sum(1 for _q, _a, result in items if result.correct)
    return render_template("activity/review_done.html", activity=activity, items=items, right=right,
                           number=int(number) if number.isdigit() else 1)


@bp.post("/retry")
def retry(launch_id: str):
    activity = load_activity()
    attempt = start_new(db.session(), activity.learner, activity.module.id, activity.settings)
    if attempt is None:
        return redirect(url_for(".result"), 303)
    return redirect(url_for(".quiz_page"), 303)
