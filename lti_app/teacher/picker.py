"""Content selection (LTI Deep Linking): a teacher picks modules; the LMS gets signed links.

Each chosen module becomes an LtiResourceLink whose custom parameters carry the module id
and the activity settings (never query strings, which break exact redirect-URI matching),
with a line item so the LMS makes the gradebook column.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, g, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from .. import content
from ..activity.views import csrf_token, load_launch_from_url, launch_id_default
from ..lti.launch import launch_url
from ..config import SUPPORTED_LOCALES
from ..content.schema import CAMPAIGNS, ELEMENTS as ELEMENT_NAMES
from ..i18n import LANGUAGE_NAMES
from ..pact.content import pact, pact_languages
from ..pact.views import RESOURCE_ID as PACT_RESOURCE_ID
from ..quiz.attempts import GRADE_POLICIES, SHOW_ANSWERS, ActivitySettings
from .guides import guide_library

bp = Blueprint("picker", __name__, url_prefix="/l/<launch_id>/select")
bp.url_value_preprocessor(load_launch_from_url)
bp.url_defaults(launch_id_default)

ELEMENTS = tuple(ELEMENT_NAMES)
#: The value of the Pact's checkbox among the modules.
PACT = "pact"


def _staff_deep_link():
    launch = g.launch
    if not launch.is_deep_linking:
        abort(404)
    if not launch.role.is_staff:
        abort(403)
    return launch


#: Longest module length a teacher can filter by, in minutes.
DURATIONS = (15, 20, 30)
AGES = tuple(range(11, 19))


@dataclass(frozen=True)
class Filters:
    element: str = ""
    campaign: str = ""
    language: str = ""
    max_minutes: int | None = None
    age: int | None = None

    @classmethod
    def from_args(cls, args) -> "Filters":
        def number(key: str, allowed: tuple[int, ...]) -> int | None:
            raw = args.get(key, "")
            return int(raw) if raw.isdigit() and int(raw) in allowed else None

        return cls(
            element=args.get("element", "") if args.get("element") in ELEMENTS else "",
            campaign=args.get("campaign", "") if args.get("campaign") in CAMPAIGNS else "",
            language=args.get("language", "") if args.get("language") in SUPPORTED_LOCALES else "",
            max_minutes=number("max_minutes", DURATIONS),
            age=number("age", AGES),
        )

    def keeps(self, module: content.Module, languages: tuple[str, ...]) -> bool:
        low, _, high = module.age_band.partition("-")
        return (
            (not self.element or self.element in module.elements)
            and (not self.campaign or module.campaign == self.campaign)
            and (not self.language or self.language in languages)
            and (self.max_minutes is None or module.minutes <= self.max_minutes)
            and (self.age is None or int(low) <= self.age <= int(high or low))
        )


    def keeps_pact(self) -> bool:
        """The Pact covers every element and campaign and takes a few minutes; it is written for 13 to 18."""
        return (not self.language or self.language in pact_languages()) and (self.age is None or 13 <= self.age <= 18)


def _render(launch, filters: Filters, settings: ActivitySettings, errors: list[str], status: int = 200):
    catalogue = content.localized_catalogue()
    guides = guide_library()
    locale = str(get_locale() or "en")
    module_languages = {m.id: content.languages(m) for m in catalogue.modules}
    return render_template(
        "teacher/picker.html", launch=launch,
        modules=[m for m in catalogue.modules if filters.keeps(m, module_languages[m.id])],
        filters=filters, elements=ELEMENTS, element_names=ELEMENT_NAMES, campaigns=CAMPAIGNS, durations=DURATIONS,
        ages=AGES, languages=sorted({lang for found in module_languages.values() for lang in found}),
        language_names=LANGUAGE_NAMES, defaults=settings, errors=errors,
        policies=GRADE_POLICIES, show_answers=SHOW_ANSWERS, pact=pact() if filters.keeps_pact() else None,
        guides={m.id: guides.get(m.id, locale) for m in catalogue.modules},
        module_languages={key: ", ".join(LANGUAGE_NAMES[lang] for lang in found) for key, found in module_languages.items()},
        multiple=str(launch.deep_linking_settings.get("accept_multiple", True)).lower() != "false",
    ), status


@bp.get("/")
def choose(launch_id: str):
    launch = _staff_deep_link()
    return _render(launch, Filters.from_args(request.args), ActivitySettings(), [])


@bp.post("/")
def respond(launch_id: str):
    launch = _staff_deep_link()
    if request.form.get("csrf") != csrf_token(launch):
        abort(400)
    catalogue = content.localized_catalogue()
    picked = request.form.getlist("module")
    with_pact = PACT in picked and pact() is not None
    chosen = [catalogue.get(module_id) for module_id in picked if module_id != PACT]
    settings, problems = ActivitySettings.from_custom({
        key: request.form.get(key, "") for key in ("attempts", "grade_policy", "pass_mark", "show_answers")
    })
    errors = list(problems)
    if not chosen and not with_pact:
        errors.append(_("Choose at least one module."))
    if any(m is None for m in chosen):
        errors.append(_("A chosen module is no longer in the catalogue. Choose again."))
    if errors:
        return _render(launch, Filters(), settings, errors, 422)
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
    if with_pact:
        resources.append(
            DeepLinkResource()
            .set_url(launch_url())
            .set_title(pact().title)
            .set_custom_params({"activity": "pact"})
            .set_lineitem(LineItem().set_score_maximum(1).set_label(pact().title).set_resource_id(PACT_RESOURCE_ID))
        )
    deep_link = launch.message_launch().get_deep_link()
    token = deep_link.get_response_jwt(resources)
    return render_template("teacher/deep_link_return.html", token=token,
                           return_url=launch.deep_linking_settings["deep_link_return_url"], modules=chosen,
                           with_pact=with_pact, pact=pact())
