"""The admin area: password from the CLI, sessions, CSRF, rate limits, and every page's actions."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lti_app import db
from lti_app.admin.auth import MAX_FAILURES
from lti_app.admin.models import AdminAccount
from lti_app.grades.models import DeliveryStatus, ScoreDelivery
from lti_app.lti.models import Deployment, DeploymentStatus, KeyState, Platform, ToolKey
from tests.conftest import LaunchDriver, create_platform
from tests.platform import LTI

PASSWORD = "correct horse battery"


def csrf(page) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True)).group(1)


@pytest.fixture
def admin(app, runner, client):
    """A client signed in to the admin area."""
    result = runner.invoke(args=["admin", "set-password", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    resp = client.post("/admin/login", data={"password": PASSWORD})
    assert resp.status_code == 303
    return client


def test_the_password_is_set_from_the_command_line_and_stored_hashed(app, runner):
    short = runner.invoke(args=["admin", "set-password", "--password", "short"])
    assert short.exit_code != 0 and "at least 12" in short.output
    assert runner.invoke(args=["admin", "set-password", "--password", PASSWORD]).exit_code == 0
    with app.app_context():
        stored = db.session().scalar(select(AdminAccount.password_hash))
    assert PASSWORD not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


def test_without_a_password_the_sign_in_page_says_how_to_set_one(client):
    page = client.get("/admin/login")
    assert page.status_code == 503 and "milclicks admin set-password" in page.get_data(as_text=True)


def test_pages_need_a_signed_in_admin(client, runner):
    runner.invoke(args=["admin", "set-password", "--password", PASSWORD])
    for url in ("/admin/", "/admin/keys", "/admin/grades", "/admin/registrations", "/admin/platforms/new"):
        resp = client.get(url)
        assert resp.status_code == 302 and "/admin/login" in resp.headers["Location"], url
    assert client.post("/admin/keys/rotate").status_code == 302
    wrong = client.post("/admin/login", data={"password": "not the password"})
    assert wrong.status_code == 401 and "not right" in wrong.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_sign_in_is_rate_limited_per_address(client, runner):
    runner.invoke(args=["admin", "set-password", "--password", PASSWORD])
    for _ in range(MAX_FAILURES):
        client.post("/admin/login", data={"password": "guess"})
    locked = client.post("/admin/login", data={"password": PASSWORD})
    assert locked.status_code == 429 and "Wait 15 minutes" in locked.get_data(as_text=True)
    elsewhere = client.post("/admin/login", data={"password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert elsewhere.status_code == 303


def test_a_new_password_signs_everyone_out_and_sign_out_works(admin, runner):
    assert admin.get("/admin/").status_code == 200
    runner.invoke(args=["admin", "set-password", "--password", "another long password"])
    assert admin.get("/admin/").status_code == 302
    admin.post("/admin/login", data={"password": "another long password"})
    page = admin.get("/admin/")
    assert admin.post("/admin/logout", data={"csrf": csrf(page)}).status_code == 303
    assert admin.get("/admin/").status_code == 302


def test_posts_without_the_csrf_token_are_refused(admin):
    resp = admin.post("/admin/keys/rotate")
    assert resp.status_code == 400 and "Reload the page" in resp.get_data(as_text=True)


def test_admin_pages_cannot_be_framed_or_cached(admin):
    resp = admin.get("/admin/")
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["Cache-Control"] == "no-store"


def test_a_new_deployment_waits_for_approval_then_launches(app, admin, platform, registered):
    driver = LaunchDriver(admin, platform)
    held = driver.launch(claims={LTI + "deployment_id": "deployment-copy"})
    assert held.status_code == 403 and "waiting for a tool admin" in held.get_data(as_text=True)
    page = admin.get("/admin/")
    assert "deployment-copy" in page.get_data(as_text=True)
    with app.app_context():
        row = db.session().scalar(select(Deployment).where(Deployment.deployment_id == "deployment-copy"))
        assert row.status == DeploymentStatus.PENDING
    approve = admin.post(f"/admin/platforms/{row.platform_id}/deployments/{row.id}",
                         data={"csrf": csrf(page), "status": "active", "back": "index"})
    assert approve.status_code == 303
    assert driver.launch(claims={LTI + "deployment_id": "deployment-copy"}).status_code == 303


def test_new_deployments_can_be_accepted_by_setting(database_url, tmp_path, platform):
    from tests.conftest import _clean, make_app

    app = make_app(database_url, tmp_path, NEW_DEPLOYMENTS="accept")
    _clean(app)
    try:
        create_platform(app, platform)
        driver = LaunchDriver(app.test_client(), platform)
        assert driver.launch(claims={LTI + "deployment_id": "deployment-new"}).status_code == 303
    finally:
        _clean(app)


def test_a_disabled_platform_cannot_launch_and_the_status_shows_why(app, admin, platform, registered):
    driver = LaunchDriver(admin, platform)
    assert driver.launch().status_code == 303
    page = admin.get(f"/admin/platforms/{registered.id}")
    admin.post(f"/admin/platforms/{registered.id}/enabled", data={"csrf": csrf(page), "enabled": "0"})
    refused = driver.login()
    assert refused.response.status_code == 403
    overview = admin.get("/admin/").get_data(as_text=True)
    assert "Disabled" in overview and "platform_disabled" in overview
    with app.app_context():
        found = db.session().get(Platform, registered.id)
        assert found.last_launch_at is not None and found.last_error.startswith("platform_disabled")


def test_an_lms_is_added_by_hand_from_its_address(app, admin):
    page = admin.get("/admin/platforms/new")
    bad = admin.post("/admin/platforms/new", data={"csrf": csrf(page), "kind": "moodle", "site": "moodle", "client_id": ""})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Type the LMS&#39;s address" in text and "Paste the client id" in text
    ok = admin.post("/admin/platforms/new", data={
        "csrf": csrf(page), "kind": "moodle", "site": "https://moodle.school.example/", "client_id": "abc123",
        "deployment_id": "7", "name": ""})
    assert ok.status_code == 303
    with app.app_context():
        row = db.session().scalar(select(Platform).where(Platform.client_id == "abc123"))
        assert row.issuer == "https://moodle.school.example"
        assert row.key_set_url == "https://moodle.school.example/mod/lti/certs.php"
        assert [d.deployment_id for d in row.deployments] == ["7"]
    canvas = admin.post("/admin/platforms/new", data={
        "csrf": csrf(page), "kind": "canvas", "site": "https://school.instructure.com", "client_id": "1000001"})
    assert canvas.status_code == 303
    with app.app_context():
        row = db.session().scalar(select(Platform).where(Platform.client_id == "1000001"))
        assert row.issuer == "https://canvas.instructure.com"
        assert row.auth_token_url == "https://school.instructure.com/login/oauth2/token"
    again = admin.post("/admin/platforms/new", data={
        "csrf": csrf(page), "kind": "canvas", "site": "https://school.instructure.com", "client_id": "1000001"})
    assert again.status_code == 422 and "already has a registration" in again.get_data(as_text=True)


def test_keys_rotate_from_the_admin_area(app, admin):
    page = admin.get("/admin/keys")
    assert "Signs now" in page.get_data(as_text=True)
    with app.app_context():
        before = db.session().scalar(select(ToolKey.kid).where(ToolKey.state == KeyState.NEXT))
    admin.post("/admin/keys/rotate", data={"csrf": csrf(page)})
    with app.app_context():
        assert db.session().scalar(select(ToolKey.kid).where(ToolKey.state == KeyState.CURRENT)) == before


def test_failed_grades_are_listed_and_sent_again(app, admin, registered):
    with app.app_context():
        sess = db.session()
        row = ScoreDelivery(platform_id=registered.id, lineitem_url="https://lms.example/li/1", scopes=[],
                            user_sub="s1", score_given=3, score_maximum=5, status=DeliveryStatus.FAILED,
                            tries=10, last_error="HTTP 500 from the LMS")
        sess.add(row)
        sess.commit()
        row_id = row.id
    page = admin.get("/admin/grades?status=failed")
    assert "HTTP 500 from the LMS" in page.get_data(as_text=True)
    admin.post(f"/admin/grades/{row_id}/resend", data={"csrf": csrf(page)})
    with app.app_context():
        assert db.session().get(ScoreDelivery, row_id).status == DeliveryStatus.QUEUED
    assert "No scores here" in admin.get("/admin/grades?status=failed").get_data(as_text=True)
