"""LTI endpoints: OIDC login, launch, the tool's JWKS, and the page a launch lands on."""

from __future__ import annotations

import logging
from sqlalchemy import select
from flask import Blueprint, g, jsonify, make_response, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from .. import db
from ..activity.views import NoModule, entry_url
from ..admin.status import note_error, note_launch
from . import keys
from .errors import LaunchError
from .models import Platform
from .launch import CookiesBlocked, StorageCheckNeeded, ToolMessageLaunch, start_login

log = logging.getLogger(__name__)

bp = Blueprint("lti", __name__)


def render_problem(err: LaunchError):
    """Render a refused login or launch as a page an admin can act on, and log it."""
    log.warning(err.log_line())
    return render_template("errors/launch.html", err=err), err.status


@bp.app_errorhandler(LaunchError)
def _launch_error(err: LaunchError):
    return render_problem(err)


@bp.route("/lti/login", methods=["GET", "POST"])
def login():
    try:
        started = start_login()
    except LaunchError as err:
        platform_id = _named_platform()
        if platform_id is not None:
            note_error(platform_id, err)
        return render_problem(err)
    if started.storage_target:
        response = make_response(render_template("lti/storage_login.html", start=started))
    else:
        response = redirect(started.auth_url, 302)
    started.cookies.update_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


def _named_platform() -> int | None:
    """The registered platform a login request names by issuer and client id, if any."""
    iss, client_id = request.values.get("iss"), request.values.get("client_id")
    if not iss or not client_id:
        return None
    return db.session().scalar(select(Platform.id).where(Platform.issuer == iss, Platform.client_id == client_id))


@bp.post("/lti/launch")
def launch():
    message_launch = ToolMessageLaunch()
    try:
        message_launch.validate()
    except StorageCheckNeeded as check:
        return render_template("lti/storage_check.html", check=check,
                               id_token=request.form.get("id_token", "")), 200
    except CookiesBlocked as err:
        log.warning(err.log_line())
        login_url = url_for("lti.login", **err.login)
        return render_template("lti/new_window.html", err=err, login_url=login_url), err.status
    except LaunchError as err:
        platform = getattr(message_launch, "_platform", None)
        if platform is not None:
            note_error(platform.id, err)
        return render_problem(err)
    accepted = message_launch.launch
    note_launch(accepted.platform_id)
    log.info(
        "launch accepted platform=%s deployment=%s message=%s role=%s",
        accepted.platform_id, accepted.deployment_id, accepted.message_type, accepted.role.value,
    )
    return redirect(_first_page(accepted), 303)


def _first_page(accepted) -> str:
    """The page the launch opens on, so the browser is sent there in one step."""
    g.launch, g.preview_module_id = accepted, None
    try:
        return entry_url()
    except (NoModule, HTTPException):
        # The activity's own pages explain these (no such module, not for students).
        return url_for("activity.home", launch_id=accepted.id)


@bp.get("/.well-known/jwks.json")
@bp.get("/lti/jwks")
def jwks():
    sess = db.session()
    keys.ensure_keys(sess)
    response = jsonify(keys.jwks(sess))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
