"""A teacher picks modules inside the LMS; the LMS gets a signed deep-linking response."""

from __future__ import annotations

import html
import re

import jwt
import pytest

from lti_app import db
from lti_app.lti import keys
from tests.conftest import parse_form
from tests.platform import INSTRUCTOR, LEARNER

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def open_picker(driver, roles=INSTRUCTOR):
    launch_id = driver.launch_id(message_type="LtiDeepLinkingRequest", roles=roles)
    return launch_id, driver.client.get(f"/l/{launch_id}/", follow_redirects=True)


def test_teacher_sees_the_catalogue_and_can_filter_it(driver):
    launch_id, page = open_picker(driver)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Add MIL CLICKS activities" in text
    for title in ("Lateral reading and click restraint", "Pause before you share", "Manipulation techniques"):
        assert title in text
    filtered = driver.client.get(f"/l/{launch_id}/select/", query_string={"campaign": "#UnLockYourInformation"})
    assert "Lateral reading" in filtered.get_data(as_text=True)
    assert "Pause before you share" not in filtered.get_data(as_text=True)


def test_selection_returns_a_signed_response_with_custom_parameters_and_line_items(driver, app):
    launch_id, page = open_picker(driver)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    resp = driver.client.post(f"/l/{launch_id}/select/", data={
        "csrf": csrf, "module": ["lateral-reading", "pause-before-you-share"],
        "attempts": "2", "pass_mark": "70", "grade_policy": "last", "show_answers": "after_submit",
    })
    assert resp.status_code == 200
    form = parse_form(resp.get_data(as_text=True))
    assert form.action == driver.platform.url + "/deep_link_return"
    with app.app_context():
        jwks = jwt.PyJWKSet.from_dict(keys.jwks(db.session()))
    token = form.fields["JWT"]
    key = next(k for k in jwks.keys if k.key_id == jwt.get_unverified_header(token)["kid"])
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=driver.platform.issuer)
    assert claims["iss"] == driver.platform.client_id
    assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[LTI + "deployment_id"] == driver.platform.deployment_id
    assert claims[DL + "data"] == "opaque-platform-data"
    items = claims[DL + "content_items"]
    assert [i["custom"]["module_id"] for i in items] == ["lateral-reading", "pause-before-you-share"]
    first = items[0]
    assert first["type"] == "ltiResourceLink" and first["url"] == "http://localhost/lti/launch"
    assert "?" not in first["url"]
    assert first["custom"] == {"module_id": "lateral-reading", "attempts": "2", "grade_policy": "last",
                               "pass_mark": "70", "show_answers": "after_submit"}
    assert first["lineItem"]["resourceId"] == "lateral-reading" and first["lineItem"]["scoreMaximum"] > 0


def test_choosing_nothing_or_bad_settings_is_explained(driver):
    launch_id, page = open_picker(driver)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    resp = driver.client.post(f"/l/{launch_id}/select/", data={"csrf": csrf, "pass_mark": "140"})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "Choose at least one module" in text and "pass_mark" in text


def test_students_cannot_pick_content(driver):
    launch_id, page = open_picker(driver, roles=LEARNER)
    assert page.status_code == 403
    assert driver.client.get(f"/l/{launch_id}/select/").status_code == 403


def test_the_picker_is_only_for_content_selection_launches(driver):
    launch_id = driver.launch_id(roles=INSTRUCTOR)
    assert driver.client.get(f"/l/{launch_id}/select/").status_code == 404


def test_the_catalogue_filters_by_language_length_and_age(driver, app):
    launch_id, _page = open_picker(driver)

    def titles(**args):
        text = driver.client.get(f"/l/{launch_id}/select/", query_string=args).get_data(as_text=True)
        return {html.unescape(t) for t in re.findall(r'<label for="m-[^"]+"><strong>([^<]+)</strong>', text)}

    everything = titles()
    assert len(everything) >= 3
    assert titles(language="en") == everything
    with app.app_context():
        from lti_app import content
        from lti_app.pact.content import pact_languages

        modules = content.catalogue().modules
        in_arabic = {m.title for m in modules if "ar" in content.languages(m)}
        pact_in_arabic = "ar" in pact_languages()
    assert titles(language="ar") == in_arabic | ({"The MIL CLICKER Pact"} & everything if pact_in_arabic else set())
    short = min(m.minutes for m in modules)
    limit = next(d for d in (15, 20, 30) if d >= short)
    assert titles(max_minutes=str(limit)) == {m.title for m in modules if m.minutes <= limit} | ({"The MIL CLICKER Pact"} & everything)
    assert titles(age="10") == everything  # an age the form does not offer is ignored
    assert titles(age="12") == set()  # modules are for 13 to 18


def test_each_module_offers_a_preview_and_its_guide(driver):
    _launch_id, page = open_picker(driver)
    text = page.get_data(as_text=True)
    assert "/preview/lateral-reading/lesson/1" in text
    assert "/guides/lateral-reading" in text
    assert "Languages: English" in text


def test_the_pact_can_be_added_as_its_own_activity(driver, app):
    launch_id, page = open_picker(driver)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    resp = driver.client.post(f"/l/{launch_id}/select/", data={
        "csrf": csrf, "module": ["pact"], "attempts": "3", "pass_mark": "60", "grade_policy": "best",
        "show_answers": "immediately",
    })
    token = parse_form(resp.get_data(as_text=True)).fields["JWT"]
    (item,) = jwt.decode(token, options={"verify_signature": False})[DL + "content_items"]
    assert item["custom"] == {"activity": "pact"}
    assert item["title"] == "The MIL CLICKER Pact"
    assert item["lineItem"]["scoreMaximum"] == 1
