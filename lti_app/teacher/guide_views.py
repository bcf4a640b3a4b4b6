"""Teacher guides inside the tool: a searchable library and a printable page per guide."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request
from flask_babel import get_locale

from .. import content
from ..activity.views import launch_id_default, load_launch_from_url
from .guides import guide_library

bp = Blueprint("guides", __name__, url_prefix="/l/<launch_id>/guides")
bp.url_value_preprocessor(load_launch_from_url)
bp.url_defaults(launch_id_default)


@bp.before_request
def _staff_only():
    # The guides discuss the quiz answers: students never see them.
    if not g.launch.role.is_staff:
        abort(403)


def _locale() -> str:
    return str(get_locale() or "en")


@bp.get("/")
def index(launch_id: str):
    library = guide_library()
    query = request.args.get("q", "").strip()[:200]
    guides = library.search(query, _locale()) if query else library.for_locale(_locale())
    return render_template(
        "teacher/guides.html", query=query, guides=guides, catalogue=content.localized_catalogue(),
        programme=[guide for guide in guides if guide.kind == "programme"],
        modules=[guide for guide in guides if guide.kind == "module"],
    )


@bp.get("/<slug>")
def show(launch_id: str, slug: str):
    library = guide_library()
    guide = library.get(slug, _locale())
    if guide is None:
        abort(404)
    module = content.localized_catalogue().get(guide.module_id) if guide.module_id else None
    return render_template("teacher/guide.html", guide=guide, module=module, languages=library.locales(slug))
