"""Dynamic registration with admin-made, expiring links; Canvas's JSON; the install page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lti_app import db
from lti_app.admin.models import RegistrationLink
from lti_app.admin.registration import CLAIMS, SCOPES, TOOL_CONFIGURATION
from lti_app.db import utcnow
from lti_app.lti.models import Platform
from tests.admin.test_admin import admin, csrf  # noqa: F401  (fixture)
from tests.conftest import LaunchDriver


def make_link(admin, label="Test LMS") -> str:  # noqa: F811
    page = admin.get("/admin/registrations")
    made = admin.post("/admin/registrations", data={"csrf": csrf(page), "label": label, "hours": "2"})
    text = made.get_data(as_text=True)
    start = text.index('<code id="new-link">') + len('<code id="new-link">')
    return text[start:text.index("</code>", start)].replace("http://localhost", "")


def open_link(client, path, platform, token="reg-token-1"):
    return client.get(path, query_string={
        "openid_configuration": platform.url + "/.well-known/openid-configuration", "registration_token": token})


def test_an_lms_registers_itself_through_a_link_and_can_launch(app, admin, platform):  # noqa: F811
    path = make_link(admin)
    platform.registrations.clear()
    done = open_link(admin, path, platform)
    text = done.get_data(as_text=True)
    assert done.status_code == 200 and "MIL CLICKS is registered" in text and "dyn-deployment-1" in text
    authorization, body = platform.registrations[-1]
    assert authorization == "Bearer reg-token-1"
    tool = body[TOOL_CONFIGURATION]
    assert body["initiate_login_uri"] == "http://localhost/lti/login"
    assert body["redirect_uris"] == ["http://localhost/lti/launch"] and body["jwks_uri"].endswith("/lti/jwks")
    assert tool["claims"] == list(CLAIMS)  # no names, no e-mail
    assert {m["type"] for m in tool["messages"]} == {"LtiResourceLinkRequest", "LtiDeepLinkingRequest"}
    assert set(body["scope"].split()) <= set(SCOPES) and "score" in body["scope"]
    with app.app_context():
        row = db.session().scalar(select(Platform).where(Platform.client_id == "dyn-client-1"))
        assert row.name == "Test LMS" and row.auth_login_url == platform.url + "/auth"
        assert [d.deployment_id for d in row.deployments] == ["dyn-deployment-1"]
    platform.client_id, platform.deployment_id = "dyn-client-1", "dyn-deployment-1"
    try:
        assert LaunchDriver(admin, platform).launch().status_code == 303
    finally:
        platform.client_id, platform.deployment_id = "milclicks-client-1", "deployment-1"
    again = open_link(admin, path, platform)
    assert again.status_code == 410 and "already used" in again.get_data(as_text=True)


def test_links_expire_and_can_be_stopped(app, admin, platform, client):  # noqa: F811
    path = make_link(admin)
    with app.app_context():
        link = db.session().scalar(select(RegistrationLink))
        link.expires_at = utcnow() - timedelta(minutes=1)
        db.session().commit()
    expired = open_link(client, path, platform)
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    path = make_link(admin)
    with app.app_context():
        newest = db.session().scalar(select(RegistrationLink).order_by(RegistrationLink.id.desc()))
    page = admin.get("/admin/registrations")
    admin.post(f"/admin/registrations/{newest.id}/revoke", data={"csrf": csrf(page)})
    assert open_link(client, path, platform).status_code == 410
    unknown = open_link(client, "/lti/register/not-a-real-link", platform)
    assert unknown.status_code == 404 and "not valid" in unknown.get_data(as_text=True)


def test_the_links_secret_is_never_stored(app, admin):  # noqa: F811
    path = make_link(admin)
    secret = path.rsplit("/", 1)[1]
    with app.app_context():
        link = db.session().scalar(select(RegistrationLink))
    assert link.token_hash == RegistrationLink.hash(secret) and secret not in link.token_hash


@pytest.mark.parametrize("change, status, message", [
    ({"issuer": "https://elsewhere.example"}, 400, "does not match the address"),
    ({"registration_endpoint": ""}, 400, "lacks registration_endpoint"),
    ({"jwks_uri": "http://lms.example/jwks"}, 400, "must be an https address"),
])
def test_a_bad_platform_configuration_is_refused_with_the_reason(admin, platform, change, status, message):  # noqa: F811
    path = make_link(admin)
    platform.openid_overrides = change
    try:
        resp = open_link(admin, path, platform)
    finally:
        platform.openid_overrides = {}
    assert resp.status_code == status and message in resp.get_data(as_text=True)
    assert open_link(admin, path, platform).status_code == 200  # a refused try does not use the link up


def test_a_refusal_by_the_lms_is_shown(admin, platform):  # noqa: F811
    path = make_link(admin)
    platform.registration_status = 401
    try:
        resp = open_link(admin, path, platform)
    finally:
        platform.registration_status = None
    assert resp.status_code == 400 and "refused the registration (HTTP 401)" in resp.get_data(as_text=True)


def test_opening_a_link_in_a_browser_explains_where_it_goes(admin):  # noqa: F811
    path = make_link(admin)
    resp = admin.get(path)
    assert resp.status_code == 400 and "Paste it into your LMS" in resp.get_data(as_text=True)


def test_the_cli_makes_a_link_too(runner):
    result = runner.invoke(args=["admin", "registration-link", "--label", "District Canvas", "--hours", "3"])
    assert result.exit_code == 0 and "/lti/register/" in result.output


def test_canvas_json_configuration(client):
    config = client.get("/lti/canvas.json").get_json()
    assert config["oidc_initiation_url"] == "http://localhost/lti/login"
    assert config["public_jwk_url"] == "http://localhost/lti/jwks"
    assert set(config["scopes"]) == set(SCOPES)
    canvas = config["extensions"][0]
    assert canvas["platform"] == "canvas.instructure.com" and canvas["privacy_level"] == "name_only"
    placements = {p["placement"]: p for p in canvas["settings"]["placements"]}
    assert placements["assignment_selection"]["message_type"] == "LtiDeepLinkingRequest"
    assert placements["link_selection"]["message_type"] == "LtiDeepLinkingRequest"
    assert placements["course_navigation"]["message_type"] == "LtiResourceLinkRequest"
    assert placements["course_navigation"]["visibility"] == "admins"
    assert client.get(canvas["settings"]["icon_url"].replace("http://localhost", "")).status_code == 200


def test_the_install_page_lists_every_url_and_both_lms(client):
    text = client.get("/").get_data(as_text=True)
    for url_id in ("tool", "login", "launch", "deep-linking", "jwks", "canvas"):
        assert f'id="url-{url_id}"' in text
    assert "http://localhost/lti/canvas.json" in text
    assert "Install in Moodle" in text and "Install in Canvas" in text and "deployment id" in text
