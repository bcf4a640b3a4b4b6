"""The admin area (platforms, deployments, registration links, keys, grade outbox) and dynamic registration."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import db
from ..db import utcnow
from ..grades import outbox
from ..grades.models import DeliveryStatus, ScoreDelivery
from ..lti import keys
from ..lti.models import Deployment, DeploymentStatus, Platform, ToolKey
from .auth import admin_required, csrf_token, locked_out, sign_in, signed_in
from .models import RegistrationLink
from .registration import RegistrationError, new_link, register, usable_link
from .status import registration_status

bp = Blueprint("admin", __name__, url_prefix="/admin")
registration_bp = Blueprint("registration", __name__)

#: Where each kind of LMS keeps its LTI endpoints, from the site address the admin types.
PLATFORM_KINDS = {
    "moodle": {"issuer": "{site}", "auth_login_url": "{site}/mod/lti/auth.php",
               "auth_token_url": "{site}/mod/lti/token.php", "key_set_url": "{site}/mod/lti/certs.php"},
    "canvas": {"issuer": "https://canvas.instructure.com",
               "auth_login_url": "https://sso.canvaslms.com/api/lti/authorize_redirect",
               "auth_token_url": "{site}/login/oauth2/token",
               "key_set_url": "https://sso.canvaslms.com/api/lti/security/jwks"},
}


@bp.app_context_processor
def _admin_globals():
    return {"admin_csrf": csrf_token() if request.blueprint == "admin" else ""}


# --------------------------------------------------------------------------- sign-in


@bp.route("/login", methods=["GET", "POST"])
def login():
    from .auth import account

    target = request.args.get("next", "")
    if not target.startswith("/admin/") or "//" in target:
        target = url_for("admin.index")
    if account() is None:
        return render_template("admin/login.html", no_account=True), 503
    error = None
    if request.method == "POST":
        if locked_out():
            return render_template("admin/login.html", locked=True), 429
        if sign_in(request.form.get("password", "")):
            return redirect(target, 303)
        error = _("That password is not right.")
    elif signed_in():
        return redirect(target, 303)
    return render_template("admin/login.html", error=error), 401 if error else 200


@bp.post("/logout")
@admin_required
def logout():
    from flask import session

    session.clear()
    return redirect(url_for("admin.login"), 303)


# --------------------------------------------------------------------------- overview and platforms


@bp.get("/")
@admin_required
def index():
    sess = db.session()
    return render_template(
        "admin/index.html", statuses=registration_status(sess), tab="platforms",
        pending=sess.scalars(select(Deployment).where(Deployment.status == DeploymentStatus.PENDING)).all(),
        policy=current_app.config["NEW_DEPLOYMENTS"],
    )


def _platform(platform_id: int) -> Platform:
    platform = db.session().get(Platform, platform_id)
    if platform is None:
        abort(404)
    return platform


@bp.get("/platforms/<int:platform_id>")
@admin_required
def platform(platform_id: int):
    found = _platform(platform_id)
    status = next(s for s in registration_status(db.session()) if s.platform.id == found.id)
    return render_template("admin/platform.html", platform=found, status=status, tab="platforms")


@bp.post("/platforms/<int:platform_id>/enabled")
@admin_required
def platform_enabled(platform_id: int):
    found = _platform(platform_id)
    found.enabled = request.form.get("enabled") == "1"
    db.session().commit()
    flash(_("%(name)s is enabled.", name=found.name) if found.enabled else _("%(name)s is disabled: it cannot launch the tool.", name=found.name))
    return redirect(url_for(".platform", platform_id=found.id), 303)


@bp.post("/platforms/<int:platform_id>/deployments/<int:row_id>")
@admin_required
def deployment_status(platform_id: int, row_id: int):
    found = _platform(platform_id)
    row = next((d for d in found.deployments if d.id == row_id), None)
    if row is None:
        abort(404)
    try:
        row.status = DeploymentStatus(request.form.get("status", ""))
    except ValueError:
        abort(400, _("Choose active or disabled."))
    db.session().commit()
    flash(_("Deployment %(id)s is now %(status)s.", id=row.deployment_id, status=_status_name(row.status)))
    back = url_for(".index") if request.form.get("back") == "index" else url_for(".platform", platform_id=found.id)
    return redirect(back, 303)


@bp.post("/platforms/<int:platform_id>/deployments")
@admin_required
def deployment_add(platform_id: int):
    found = _platform(platform_id)
    deployment_id = request.form.get("deployment_id", "").strip()
    if not deployment_id or len(deployment_id) > 255:
        flash(_("Paste the deployment id the LMS shows for this tool."), "error")
    elif any(d.deployment_id == deployment_id for d in found.deployments):
        flash(_("Deployment %(id)s is already there.", id=deployment_id), "error")
    else:
        db.session().add(Deployment(platform_id=found.id, deployment_id=deployment_id, status=DeploymentStatus.ACTIVE))
        db.session().commit()
        flash(_("Deployment %(id)s added.", id=deployment_id))
    return redirect(url_for(".platform", platform_id=found.id), 303)


def _status_name(status: DeploymentStatus) -> str:
    return {DeploymentStatus.ACTIVE: _("active"), DeploymentStatus.PENDING: _("waiting for approval"),
            DeploymentStatus.DISABLED: _("disabled")}[status]


@bp.route("/platforms/new", methods=["GET", "POST"])
@admin_required
def platform_new():
    form = {key: request.form.get(key, "").strip() for key in (
        "kind", "name", "site", "client_id", "deployment_id", "issuer", "auth_login_url", "auth_token_url", "key_set_url")}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, errors = _platform_values(form)
        if not errors:
            sess = db.session()
            platform = Platform(**values)
            sess.add(platform)
            try:
                sess.flush()
            except IntegrityError:
                sess.rollback()
                errors["client_id"] = _("This LMS already has a registration with that client id.")
            else:
                if form["deployment_id"]:
                    sess.add(Deployment(platform_id=platform.id, deployment_id=form["deployment_id"][:255],
                                        status=DeploymentStatus.ACTIVE))
                sess.commit()
                flash(_("%(name)s is registered. Launch the tool from the LMS to check it.", name=platform.name))
                return redirect(url_for(".platform", platform_id=platform.id), 303)
    return render_template("admin/platform_new.html", form=form, errors=errors, tab="platforms"), 422 if errors else 200


def _platform_values(form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Turn the form into a platform's fields, filling a known LMS's endpoints from its address."""
    errors: dict[str, str] = {}
    site = form["site"].rstrip("/")
    template = PLATFORM_KINDS.get(form["kind"])
    if form["kind"] not in (*PLATFORM_KINDS, "other"):
        errors["kind"] = _("Choose the kind of LMS.")
    if template and not _is_url(site):
        errors["site"] = _("Type the LMS's address, starting with https://, e.g. https://moodle.school.example.")
    values = {key: (template[key].format(site=site) if template else form[key]) for key in (
        "issuer", "auth_login_url", "auth_token_url", "key_set_url")}
    if not template:
        for key in values:
            if not _is_url(values[key]):
                errors[key] = _("Paste the full address, starting with https://.")
    if not form["client_id"]:
        errors["client_id"] = _("Paste the client id the LMS gave the tool.")
    name = form["name"] or urlsplit(site or values["issuer"]).hostname or "LMS"
    return {**values, "name": name[:200], "client_id": form["client_id"][:255]}, errors


def _is_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("https", "http") and bool(parts.hostname) and len(value) <= 1000


# --------------------------------------------------------------------------- registration links


@bp.route("/registrations", methods=["GET", "POST"])
@admin_required
def registrations():
    sess = db.session()
    made = None
    if request.method == "POST":
        hours = request.form.get("hours", type=int) or current_app.config["REGISTRATION_LINK_HOURS"]
        _link, made = new_link(sess, request.form.get("label", ""), max(1, min(hours, 24 * 14)))
    links = sess.scalars(select(RegistrationLink).order_by(RegistrationLink.id.desc()).limit(50)).all()
    return render_template("admin/registrations.html", links=links, made=made, now=utcnow(), tab="registrations",
                           default_hours=current_app.config["REGISTRATION_LINK_HOURS"])


@bp.post("/registrations/<int:link_id>/revoke")
@admin_required
def registration_revoke(link_id: int):
    link = db.session().get(RegistrationLink, link_id)
    if link is None:
        abort(404)
    link.expires_at = min(link.expires_at, utcnow())
    db.session().commit()
    flash(_("The link no longer works."))
    return redirect(url_for(".registrations"), 303)


@registration_bp.get("/lti/register/<token>")
def start(token: str):
    """Where the LMS opens a registration link; registers at once and says how it went."""
    sess = db.session()
    try:
        link = usable_link(sess, token)
        openid_configuration = request.args.get("openid_configuration", "")
        if not openid_configuration:
            raise RegistrationError(_(
                "This is a registration link for an LMS. Paste it into your LMS's dynamic registration "
                "(Moodle: Manage tools; Canvas: Developer keys, LTI Registration) instead of opening it here."))
        done = register(sess, link, openid_configuration, request.args.get("registration_token", ""))
    except RegistrationError as err:
        sess.rollback()
        current_app.logger.warning("dynamic registration refused: %s", err.message)
        return render_template("admin/registered.html", error=err.message), err.status
    current_app.logger.info("dynamic registration: platform %s (%s)", done.platform.id, done.platform.issuer)
    return render_template("admin/registered.html", done=done)


# --------------------------------------------------------------------------- keys and grades


@bp.get("/keys")
@admin_required
def key_list():
    sess = db.session()
    keys.ensure_keys(sess)
    rows = sess.scalars(select(ToolKey).order_by(ToolKey.id.desc())).all()
    return render_template("admin/keys.html", keys=rows, tab="keys", overlap=current_app.config["KEY_OVERLAP_HOURS"])


@bp.post("/keys/rotate")
@admin_required
def key_rotate():
    promoted = keys.rotate(db.session(), current_app.config["KEY_OVERLAP_HOURS"])
    flash(_("Key %(kid)s now signs. The old key stays published for %(hours)s hours.",
            kid=promoted.kid[:12], hours=current_app.config["KEY_OVERLAP_HOURS"]))
    return redirect(url_for(".key_list"), 303)


GRADE_FILTERS = ("queued", "failed", "delivered")


@bp.get("/grades")
@admin_required
def grades():
    shown = request.args.get("status", "failed")
    if shown not in GRADE_FILTERS:
        shown = "failed"
    sess = db.session()
    rows = sess.scalars(
        select(ScoreDelivery).where(ScoreDelivery.status == DeliveryStatus(shown))
        .order_by(ScoreDelivery.id.desc()).limit(200)
    ).all()
    names = dict(sess.execute(select(Platform.id, Platform.name)).all())
    return render_template("admin/grades.html", rows=rows, shown=shown, filters=GRADE_FILTERS, names=names, tab="grades")


@bp.post("/grades/<int:delivery_id>/resend")
@admin_required
def grade_resend(delivery_id: int):
    if outbox.resend(db.session(), delivery_id):
        flash(_("Score %(id)s is queued again.", id=delivery_id))
    else:
        flash(_("Score %(id)s was not queued: it is not a failed score, or a newer score replaced it.", id=delivery_id), "error")
    return redirect(url_for(".grades", status="failed"), 303)


@bp.after_request
def _private(response):
    response.headers["Cache-Control"] = "no-store"
    # Admin pages are never framed, unlike the LMS-facing pages.
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )
    return response
