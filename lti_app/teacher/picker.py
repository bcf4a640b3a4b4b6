"""Content selection (LTI Deep Linking): a teacher picks modules; the LMS gets signed links.

Each chosen module becomes an LtiResourceLink whose custom parameters carry the module id
and the activity settings (never query strings, which break exact redirect-URI matching),
with a line item so the LMS makes the gradebook column.
"""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request
from flask_babel import gettext as _
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from .. import content
from ..activity.views import csrf_token, load_launch_from_url, launch_id_default
from ..lti.launch import launch_url
from ..quiz.attempts import GRADE_POLICIES, SHOW_ANSWERS, ActivitySettings

bp = Blueprint("picker", __name__, url_prefix="/l/<launch_id>/select")
bp.url_value_preprocessor(load_launch_from_url)
bp.url_defaults(launch_id_default)

ELEMENTS = ("C", "L", "I", "Ci", "K", "S")
CAMPAIGNS = ("#UnLockYourMedia", "#UnLockYourInformation")


def _staff_deep_link():
    launch = g.launch
    if not launch.is_deep_linking:
        abort(404)
    if not launch.role.is_staff:
        abort(403)
    return launch


def filtered(modules, element: str, campaign: str):
    return [m for m in modules
            if (not element or element in m.elements) and (not campaign or m.campaign == campaign)]


@bp.get("/")
def choose(launch_id: str):
    launch = _staff_deep_link()
    element = request.args.get("element", "")
    campaign = request.args.get("campaign", "")
    modules = filtered(content.catalogue().modules, element, campaign)
    return render_template(
        "teacher/picker.html", launch=launch, modules=modules, element=element, campaign=campaign,
        elements=ELEMENTS, campaigns=CAMPAIGNS, defaults=ActivitySettings(), errors=[],
        policies=GRADE_POLICIES, show_answers=SHOW_ANSWERS,
        multiple=str(launch.deep_linking_settings.get("accept_multiple", True)).lower() != "false",
    )


@bp.post("/")
def respond(launch_id: str):
    launch = _staff_deep_link()
    if request.form.get("csrf") != csrf_token(launch):
        abort(400)
    catalogue = content.catalogue()
    chosen = [catalogue.get(module_id) for module_id in request.form.getlist("module")]
    settings, problems = ActivitySettings.from_custom({
        key: request.form.get(key, "") for key in ("attempts", "grade_policy", "pass_mark", "show_answers")
    })
    errors = list(problems)
    if not chosen:
        errors.append(_("Choose at least one module."))
    if any(m is None for m in chosen):
        errors.append(_("A chosen module is no longer in the catalogue. Choose again."))
    if errors:
        return render_template(
            "teacher/picker.html", launch=launch, modules=catalogue.modules, element="", campaign="",
            elements=ELEMENTS, campaigns=CAMPAIGNS, defaults=settings, errors=errors,
            policies=GRADE_POLICIES, show_answers=SHOW_ANSWERS, multiple=True,
        ), 422
    resources = [
        DeepLinkResource()
        .set_url(launch_url())
        .set_title(module.title)
        .set_custom_params({"module_id": module.id, **settings.as_custom()})
        .set_lineitem(
            LineItem().set_score_maximum(module.quiz.max_points).set_label(module.title).set_resource_id(module.id)
        )
        for module in chosen
    ]
    deep_link = launch.message_launch().get_deep_link()
    token = deep_link.get_response_jwt(resources)
    return render_template("teacher/deep_link_return.html", token=token,
                           return_url=launch.deep_linking_settings["deep_link_return_url"], modules=chosen)
