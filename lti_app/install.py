"""The tool's front page: what it is and the URLs an LMS admin registers."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import lazy_gettext as _l

from .lti.launch import base_url

bp = Blueprint("install", __name__)


def tool_urls() -> list[tuple[str, object, str]]:
    """Return (id, label, absolute URL) for every URL an LMS registration asks for."""
    root = base_url()
    return [
        ("login", _l("Login initiation URL (OIDC)"), root + url_for("lti.login")),
        ("launch", _l("Launch and redirect URL (also for deep linking)"), root + url_for("lti.launch")),
        ("jwks", _l("Public keyset URL (JWKS)"), root + url_for("lti.jwks")),
    ]


@bp.get("/")
def index():
    return render_template("install/index.html", urls=tool_urls(), tool_url=base_url())
