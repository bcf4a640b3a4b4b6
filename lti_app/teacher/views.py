"""The teacher view of an activity and of a course: results, marking, grade delivery.

Every page checks, on the server, that the launch is a teacher's (staff) launch, and reads
only the rows of the launch's own platform, deployment, course and link.
"""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from .. import content, db
from ..activity.views import csrf_token, launch_id_default, load_launch_from_url
from ..grades import outbox
from ..grades.models import DeliveryStatus, ScoreDelivery
from ..lti.launch import Launch
from ..quiz.attempts import (
    ActivitySettings, Attempt, AttemptStatus, Learner, attempts_of, counted_attempt, mark, quiz_scores,
)
from .dashboard import ActivityScope, CourseScope, class_results, course_summary, pact_signatures, results_csv
from .guides import guide_library
from .roster import Roster, anonymous_label, fetch_roster

log = logging.getLogger(__name__)

bp = Blueprint("teacher", __name__, url_prefix="/l/<launch_id>/teach")
bp.url_value_preprocessor(load_launch_from_url)
bp.url_defaults(launch_id_default)


@bp.before_request
def _staff_only():
    launch: Launch = g.launch
    if not launch.role.is_staff:
        abort(403)
    if request.method == "POST" and not hmac.compare_digest(request.form.get("csrf", ""), csrf_token(launch)):
        abort(400)


def _course_scope() -> CourseScope:
    launch: Launch = g.launch
    return CourseScope(launch.platform_id, launch.deployment_id, str(launch.context.get("id", "")))


def _activity():
    """The launch's activity: its module, scope and settings; 404 outside an activity launch."""
    launch: Launch = g.launch
    if launch.is_deep_linking or not launch.resource_link:
        abort(404)
    module = content.catalogue().get(launch.custom.get("module_id", ""))
    if module is None:
        abort(404)
    module = content.localized(module)
    course = _course_scope()
    scope = ActivityScope(course.platform_id, course.deployment_id, course.context_id,
                          str(launch.resource_link.get("id", "")))
    settings, warnings = ActivitySettings.from_custom(launch.custom)
    g.setting_warnings = warnings
    return module, scope, settings


def _guide(module_id: str):
    return guide_library().get(module_id, str(get_locale() or "en"))


@bp.get("/")
def overview(launch_id: str):
    module, scope, settings = _activity()
    results = class_results(db.session(), scope, module, Roster(None), settings.grade_policy)
    return render_template("teacher/overview.html", module=module, settings=settings, results=results,
                           guide=_guide(module.id), tab="overview")


@bp.get("/results")
def results(launch_id: str):
    module, scope, settings = _activity()
    data = class_results(db.session(), scope, module, fetch_roster(g.launch), settings.grade_policy)
    return render_template("teacher/results.html", module=module, settings=settings, results=data,
                           guide=_guide(module.id), tab="results", DeliveryStatus=DeliveryStatus,
                           resent=request.args.get("resent"))


@bp.get("/results.csv")
def results_download(launch_id: str):
    module, scope, settings = _activity()
    data = class_results(db.session(), scope, module, fetch_roster(g.launch), settings.grade_policy)
    return Response(
        results_csv(data), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{module.id}-results.csv"'},
    )


def _scoped_attempt(scope: ActivityScope, attempt_id: int) -> Attempt:
    attempt = db.session().scalar(select(Attempt).where(Attempt.id == attempt_id, *scope.attempts_where()))
    if attempt is None or attempt.status != AttemptStatus.SUBMITTED:
        abort(404)
    return attempt


@bp.route("/mark/<int:attempt_id>", methods=["GET", "POST"])
def mark_attempt(launch_id: str, attempt_id: int):
    module, scope, settings = _activity()
    attempt = _scoped_attempt(scope, attempt_id)
    reflections = [q for q in module.quiz.questions if q.type == "reflection" and q.id in attempt.answers]
    errors: dict[str, str] = {}
    if request.method == "POST":
        marks = {}
        for question in reflections:
            raw = request.form.get(f"points-{question.id}", "").strip().replace(",", ".")
            try:
                points = float(raw)
            except ValueError:
                points = None
            if points is None or not 0 <= points <= question.points:
                errors[question.id] = _("Give a score from 0 to %(max)s.", max=f"{question.points:g}")
                continue
            comment = request.form.get(f"comment-{question.id}", "").strip()[:2000]
            marks[question.id] = {"points": points, "comment": comment}
        if not errors:
            mark(db.session(), attempt, module, marks)
            _send_marked_grade(scope, attempt, module, settings)
            log.info("attempt %s marked: %s/%s", attempt.id, attempt.score, attempt.max_score)
            return redirect(url_for(".results", _anchor="to-mark"), 303)
    scores = quiz_scores(module, attempt.answers, attempt.marks)
    member = next((m for m in fetch_roster(g.launch).members or () if m.sub == attempt.user_sub), None)
    return render_template(
        "teacher/mark.html", module=module, attempt=attempt, reflections=reflections, scores=scores,
        errors=errors, label=member.name if member and member.name else anonymous_label(attempt.user_sub),
        form=request.form, tab="results", guide=_guide(module.id),
    ), (422 if errors else 200)


def _send_marked_grade(scope: ActivityScope, attempt: Attempt, module, settings: ActivitySettings) -> None:
    """Send the learner's counted score again now that a teacher has marked it."""
    learner = Learner(scope.platform_id, scope.deployment_id, scope.context_id, scope.resource_link_id, attempt.user_sub)
    attempts = attempts_of(db.session(), learner)
    counted = counted_attempt(attempts, settings.grade_policy)
    ids = [a.id for a in attempts]
    previous = db.session().scalar(
        select(ScoreDelivery).where(ScoreDelivery.platform_id == scope.platform_id, ScoreDelivery.attempt_id.in_(ids))
        .order_by(ScoreDelivery.id.desc()).limit(1)
    )
    if counted is None or previous is None:
        return  # this link sends no grades (no AGS when the learner launched it)
    comments = [m.get("comment") for m in (counted.marks or {}).values() if isinstance(m, dict) and m.get("comment")]
    outbox.enqueue(db.session(), outbox.ScoreToSend(
        platform_id=scope.platform_id, lineitem_url=previous.lineitem_url, scopes=list(previous.scopes),
        new_lineitem=previous.new_lineitem, user_sub=attempt.user_sub, attempt_id=counted.id,
        score_given=counted.score, score_maximum=counted.max_score or 0.0, activity_progress="Completed",
        grading_progress="PendingManual" if counted.needs_marking else "FullyGraded",
        comment="\n\n".join(comments) or None,
    ))


@bp.post("/resend/<int:delivery_id>")
def resend(launch_id: str, delivery_id: int):
    module, scope, settings = _activity()
    delivery = db.session().get(ScoreDelivery, delivery_id)
    attempt_ids = select(Attempt.id).where(*scope.attempts_where())
    owned = delivery is not None and delivery.platform_id == scope.platform_id and db.session().scalar(
        select(Attempt.id).where(Attempt.id == delivery.attempt_id, Attempt.id.in_(attempt_ids))
    ) is not None
    if not owned:
        abort(404)
    queued = outbox.resend(db.session(), delivery_id)
    return redirect(url_for(".results", resent="1" if queued else "0", _anchor="grades"), 303)


@bp.get("/course")
def course(launch_id: str):
    scope = _course_scope()
    sess = db.session()
    catalogue = content.localized_catalogue()
    summaries = course_summary(sess, scope)
    return render_template(
        "teacher/course.html", summaries=summaries, catalogue=catalogue, pact=pact_signatures(sess, scope),
        context=g.launch.context, tab="course",
    )
