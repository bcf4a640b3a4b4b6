"""MIL CLICKS for LMS: an LTI 1.3 tool for Moodle and Canvas."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config, content, db, health, i18n, logs, store

log = logging.getLogger(__name__)

#: Largest request body accepted; an id_token has its own, smaller limit.
MAX_CONTENT_LENGTH = 2 * 1024 * 1024

_HTTP_TEXT = {
    400: _l("The request could not be understood."),
    403: _l("You do not have access to this page."),
    404: _l("There is no page at this address."),
    405: _l("This page cannot be used that way."),
    413: _l("What was sent is too large."),
    500: _l("Something went wrong on the tool's side. The error has been logged."),
}


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application; ``test_config`` overrides settings read from the environment."""
    app = Flask(__name__)
    settings = config.load_settings(test_config)
    app.config.update(settings)
    app.config.update(
        MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH,
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        JSON_SORT_KEYS=False,
    )
    if test_config and test_config.get("TESTING"):
        app.testing = True
    if not app.testing:
        logs.configure(settings["LOG_LEVEL"], settings["LOG_FORMAT"])
    if settings["PROXY_HOPS"]:
        hops = settings["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)

    db.init_app(app)
    store.init_app(app)
    i18n.init_app(app)
    content.init_app(app)

    from .activity.views import bp as activity_bp
    from .install import bp as install_bp
    from .teacher.picker import bp as picker_bp
    from .teacher.views import bp as teacher_bp
    from .teacher.guide_views import bp as guides_bp
    from .pact.views import bp as pact_bp
    from .lti.views import bp as lti_bp

    app.register_blueprint(health.bp)
    app.register_blueprint(lti_bp)
    app.register_blueprint(install_bp)
    app.register_blueprint(activity_bp)
    # The same pages again, for a teacher trying any module as a student sees it.
    app.register_blueprint(activity_bp, name="preview", url_prefix="/l/<launch_id>/preview/<module_id>")
    app.register_blueprint(picker_bp)
    app.register_blueprint(teacher_bp)
    app.register_blueprint(guides_bp)
    app.register_blueprint(pact_bp)
    from .admin import auth as admin_auth
    from .admin.views import bp as admin_bp, registration_bp

    admin_auth.init_app(app)
    app.register_blueprint(admin_bp)
    app.register_blueprint(registration_bp)

    from .cli import register_commands

    register_commands(app)

    @app.context_processor
    def _template_globals():
        locale = str(get_locale())
        return {"locale": locale, "lang": locale.replace("_", "-"), "direction": i18n.text_direction(locale)}

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        # The tool is meant to be framed by any LMS; everything else is same-origin only.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            "script-src 'self'; form-action *; frame-ancestors *; base-uri 'none'; object-src 'none'",
        )
        return response

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        code = exc.code or 500
        # A description given where the error was raised says more than the status's usual text.
        detail = exc.description if exc.description != type(exc).description else None
        return render_template(
            "errors/http.html", code=code, message=_HTTP_TEXT.get(code, exc.description), detail=detail
        ), code

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_template("errors/http.html", code=500, message=_HTTP_TEXT[500]), 500

    return app
