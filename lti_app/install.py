"""The tool's front page: the URLs an LMS admin registers, step-by-step installs, Canvas's JSON."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, jsonify, render_template, url_for
from flask_babel import lazy_gettext as _l

from .admin.registration import DESCRIPTION, SCOPES
from .lti.launch import base_url

bp = Blueprint("install", __name__)


def tool_urls() -> list[tuple[str, object, str]]:
    """Return (id, label, absolute URL) for every URL an LMS registration asks for."""
    root = base_url()
    launch = root + url_for("lti.launch")
    return [
        ("tool", _l("Tool URL"), root + "/"),
        ("login", _l("Login initiation URL (OIDC)"), root + url_for("lti.login")),
        ("launch", _l("Launch and redirect URL"), launch),
        ("deep-linking", _l("Deep linking (content selection) URL"), launch),
        ("jwks", _l("Public keyset URL (JWKS)"), root + url_for("lti.jwks")),
        ("canvas", _l("Canvas JSON configuration URL"), root + url_for("install.canvas_config")),
    ]


@bp.get("/")
def index():
    return render_template("install/index.html", urls=tool_urls(), tool_url=base_url(),
                           admin_url=base_url() + url_for("admin.index"))


@bp.get("/lti/canvas.json")
def canvas_config():
    """The tool's configuration in the format of Canvas's developer keys (Enter URL)."""
    root = base_url()
    launch = root + url_for("lti.launch")
    icon = root + url_for("static", filename="logo.svg")
    selection = {"message_type": "LtiDeepLinkingRequest", "target_link_uri": launch, "text": "MIL CLICKS",
                 "icon_url": icon, "selection_width": 1000, "selection_height": 720}
    return jsonify({
        "title": "MIL CLICKS",
        "description": str(DESCRIPTION),
        "oidc_initiation_url": root + url_for("lti.login"),
        "target_link_uri": launch,
        "public_jwk_url": root + url_for("lti.jwks"),
        "scopes": list(SCOPES),
        "extensions": [{
            "platform": "canvas.instructure.com",
            "domain": urlsplit(root).netloc,
            "tool_id": "milclicks",
            # Names reach the tool only through the class list and are never stored; no e-mail.
            "privacy_level": "name_only",
            "settings": {
                "text": "MIL CLICKS",
                "icon_url": icon,
                "placements": [
                    {"placement": "assignment_selection", **selection},
                    {"placement": "link_selection", **selection},
                    {"placement": "course_navigation", "message_type": "LtiResourceLinkRequest",
                     "target_link_uri": launch, "text": "MIL CLICKS", "icon_url": icon,
                     # Teachers and admins only: it opens the class's results across activities.
                     "visibility": "admins", "default": "enabled"},
                ],
            },
        }],
    })
