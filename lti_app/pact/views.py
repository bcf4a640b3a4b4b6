"""The Pact activity: learners read and sign; the LMS records completion; teachers see who signed."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import content, db
from ..activity.views import csrf_token, grades_go_to_lms, launch_id_default, lms_score, load_launch_from_url
from ..grades import outbox
from ..lti.launch import Launch
from ..teacher.roster import anonymous_label, fetch_roster
from .content import pact
from .models import PactSignature

log = logging.getLogger(__name__)

bp = Blueprint("pact", __name__, url_prefix="/l/<launch_id>/pact")
bp.url_value_preprocessor(load_launch_from_url)
bp.url_defaults(launch_id_default)

#: The resource id of the Pact's gradebook column.
RESOURCE_ID = "mil-clicker-pact"


@bp.before_request
def _load():
    launch: Launch = g.launch
    if launch.is_deep_linking or not launch.resource_link or launch.custom.get("activity") != "pact":
        abort(404)
    g.pact = pact()
    if g.pact is None:
        message = _("The MIL CLICKER Pact is not available: its text (pact.yaml) is missing or has a problem. "
                    "A tool admin can run 'milclicks modules check' to see what to fix.")
        abort(Response(render_template("errors/http.html", code=503, message=message), 503))
    if request.method == "POST" and request.form.get("csrf") != csrf_token(launch):
        abort(400)


def _where(launch: Launch):
    return (
        PactSignature.platform_id == launch.platform_id,
        PactSignature.deployment_id == launch.deployment_id,
        PactSignature.context_id == str(launch.context.get("id", "")),
        PactSignature.resource_link_id == str(launch.resource_link.get("id", "")),
    )


def _signature(launch: Launch) -> PactSignature | None:
    return db.session().scalar(select(PactSignature).where(*_where(launch), PactSignature.user_sub == launch.sub))


def _render(status: int = 200, error: str | None = None):
    launch: Launch = g.launch
    signatures = roster = None
    if launch.role.is_staff:
        signed = {s.user_sub: s for s in db.session().scalars(select(PactSignature).where(*_where(launch)))}
        fetched = fetch_roster(launch)
        subs = [m.sub for m in fetched.members or ()] + [sub for sub in signed if sub not in
                                                             {m.sub for m in fetched.members or ()}]
        names = {m.sub: m.name for m in fetched.members or ()}
        signatures = [(names.get(sub) or anonymous_label(sub), signed.get(sub)) for sub in subs]
        roster = fetched
    catalogue = content.localized_catalogue()
    taught_in = {c.id: [m for m in map(catalogue.get, c.modules) if m] for c in g.pact.commitments}
    return render_template(
        "pact/pact.html", pact=g.pact, taught_in=taught_in, signature=_signature(launch),
        signatures=signatures, roster=roster, error=error,
    ), status


@bp.get("/")
def pact_page(launch_id: str):
    return _render()


@bp.post("/sign")
def sign(launch_id: str):
    launch: Launch = g.launch
    if launch.role.is_staff:
        abort(403)
    if request.form.get("agree") != "yes":
        return _render(422, _("Tick the box to say you have read the commitments and want to keep them."))
    signature = PactSignature(
        platform_id=launch.platform_id, deployment_id=launch.deployment_id,
        context_id=str(launch.context.get("id", "")), resource_link_id=str(launch.resource_link.get("id", "")),
        user_sub=launch.sub, commitments=[c.id for c in g.pact.commitments], locale=str(get_locale() or "en"),
    )
    sess = db.session()
    sess.add(signature)
    try:
        sess.commit()
    except IntegrityError:
        sess.rollback()  # signed already, perhaps in another tab: the first signature stands
        return redirect(url_for(".pact_page"), 303)
    _report_completion(launch)
    log.info("pact signed in link %s", launch.resource_link.get("id"))
    return redirect(url_for(".pact_page", _anchor="signed"), 303)


def _report_completion(launch: Launch) -> None:
    if grades_go_to_lms(launch):
        outbox.enqueue(db.session(), lms_score(launch, label=g.pact.title, resource_id=RESOURCE_ID,
                                               score_given=1.0, score_maximum=1.0))


@bp.get("/card")
def card(launch_id: str):
    signature = _signature(g.launch)
    if signature is None and not g.launch.role.is_staff:
        return redirect(url_for(".pact_page"))
    return render_template("pact/card.html", pact=g.pact, signature=signature)
