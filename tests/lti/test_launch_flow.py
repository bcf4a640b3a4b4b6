"""The full login -> launch flow as Moodle and Canvas drive it."""

from __future__ import annotations

import pytest

from tests.conftest import LaunchDriver, create_platform
from tests.platform import INSTRUCTOR, LTI, ROLE


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_resource_link_launch_lands_on_the_activity(driver: LaunchDriver, method):
    hint = driver.platform.prepare()
    login = driver.login(hint, method=method)
    assert login.response.status_code == 302
    assert login.query["redirect_uri"] == "http://localhost/lti/launch"
    assert login.query["client_id"] == driver.platform.client_id
    assert login.query["lti_message_hint"] == hint
    resp = driver.post_launch(driver.authorize(login))
    # Straight to the learner's first page: no extra hop through the activity's start.
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/lesson/1")
    page = driver.client.get(resp.headers["Location"])
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Lateral reading and click restraint" in text and "Page 1 of 5" in text
    assert "Teacher preview" not in text


def test_an_instructor_launch_lands_on_the_teacher_view(driver: LaunchDriver):
    resp = driver.post_launch(driver.authorize(driver.login(driver.platform.prepare(roles=INSTRUCTOR))))
    page = driver.client.get(resp.headers["Location"], follow_redirects=True)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.request.path.endswith("/teach/")
    assert "Lateral reading and click restraint" in text
    assert "Preview as a student" in text and "Class results" in text


def test_state_cookie_is_partitioned_secure_and_cross_site(driver: LaunchDriver):
    login = driver.login(driver.platform.prepare())
    cookie = next(h for h in login.response.headers.getlist("Set-Cookie") if login.state in h)
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"secure", "partitioned", "httponly"} <= attributes
    assert "SameSite=None" in cookie


def test_behind_a_tls_proxy_cookies_keep_their_attributes(database_url, tmp_path, platform):
    from tests.conftest import make_app

    app = make_app(database_url, tmp_path, PROXY_HOPS=1)
    create_platform(app, platform)
    client = app.test_client()
    resp = client.post(
        "/lti/login",
        base_url="http://tool.internal",
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "milclicks.school.example"},
        data={"iss": platform.issuer, "login_hint": "x", "client_id": platform.client_id, "lti_message_hint": platform.prepare()},
    )
    assert resp.status_code == 302
    assert "redirect_uri=https%3A%2F%2Fmilclicks.school.example%2Flti%2Flaunch" in resp.headers["Location"]
    cookie = resp.headers.get("Set-Cookie")
    assert "Secure" in cookie and "Partitioned" in cookie and "SameSite=None" in cookie


def test_without_proxy_setting_plain_http_host_gets_lax_cookie(client, platform, registered):
    resp = client.post(
        "/lti/login", base_url="http://tool.internal",
        data={"iss": platform.issuer, "login_hint": "x", "client_id": platform.client_id, "lti_message_hint": platform.prepare()},
    )
    cookie = resp.headers.get("Set-Cookie")
    assert "Secure" not in cookie and "SameSite=Lax" in cookie


def test_later_requests_find_the_launch_by_id_without_any_cookie(driver: LaunchDriver, app):
    launch_id = driver.launch_id()
    fresh = app.test_client()  # no cookies at all, as in a partitioned iframe
    page = fresh.get(f"/l/{launch_id}/", follow_redirects=True)
    assert page.status_code == 200
    assert "Lateral reading" in page.get_data(as_text=True)


def test_unknown_launch_id_is_a_clear_410(client):
    page = client.get("/l/launch-doesnotexist/")
    assert page.status_code == 410
    assert "launch_expired" in page.get_data(as_text=True)


def test_deep_linking_launch_is_accepted(driver: LaunchDriver):
    resp = driver.launch(message_type="LtiDeepLinkingRequest", roles=INSTRUCTOR)
    assert resp.status_code == 303


def test_personal_data_is_not_kept(driver: LaunchDriver, app):
    launch_id = driver.launch_id(claims={"name": "Amara Okafor", "email": "amara@school.example", "given_name": "Amara"})
    with app.test_request_context():
        from lti_app.lti.launch import load_launch

        claims = load_launch(launch_id).claims
    assert "email" not in claims and "name" not in claims and "given_name" not in claims
    assert claims["sub"]


def test_canvas_one_issuer_many_client_ids(app, client, platform):
    create_platform(app, platform)
    create_platform(app, platform, client_id="school-b-client")
    driver = LaunchDriver(client, platform)
    platform.client_id = "school-b-client"
    try:
        resp = driver.launch()
    finally:
        platform.client_id = "milclicks-client-1"
    assert resp.status_code == 303
