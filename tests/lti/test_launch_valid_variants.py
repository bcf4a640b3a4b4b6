"""What the 1EdTech certification sends as valid must be accepted, with the right role."""

from __future__ import annotations

import time

import pytest

from lti_app.lti.launch import load_launch
from lti_app.lti.roles import Role
from tests.conftest import LaunchDriver
from tests.platform import LTI, ROLE

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"

VARIANTS = [
    ("several roles", {"roles": [ROLE + "Learner", ROLE + "Instructor", LIS + "institution/person#Student"]}, Role.INSTRUCTOR),
    ("short role names", {"roles": ["Instructor"]}, Role.INSTRUCTOR),
    ("unknown role", {"roles": ["http://example.org/roles#Wizard"]}, Role.LEARNER),
    ("no role", {"roles": []}, Role.LEARNER),
    ("institution admin", {"roles": [LIS + "institution/person#Administrator"]}, Role.ADMIN),
    ("email only", {"claims": {"email": "learner@school.example"}}, Role.LEARNER),
    ("names only", {"claims": {"given_name": "Lina", "family_name": "Haddad", "name": "Lina Haddad"}}, Role.LEARNER),
    ("no personal data", {}, Role.LEARNER),
    ("no context", {"remove": (LTI + "context",)}, Role.LEARNER),
    ("no launch presentation", {"remove": (LTI + "launch_presentation",)}, Role.LEARNER),
    ("aud as a list", {"claims": {"aud": ["milclicks-client-1"]}}, Role.LEARNER),
    ("several aud with our azp", {"claims": {"aud": ["milclicks-client-1", "platform-analytics"], "azp": "milclicks-client-1"}}, Role.LEARNER),
]


@pytest.mark.parametrize("scenario, role", [v[1:] for v in VARIANTS], ids=[v[0] for v in VARIANTS])
def test_certification_valid_launch_is_accepted(driver: LaunchDriver, app, scenario, role):
    launch_id = driver.launch_id(**scenario)
    page = driver.client.get(f"/l/{launch_id}/", follow_redirects=True)
    assert page.status_code == 200
    with app.test_request_context():
        assert load_launch(launch_id).role == role


def test_clock_difference_within_leeway_is_accepted(driver: LaunchDriver):
    now = int(time.time())
    # exp 10 s ago and iat 10 s ahead: inside the default 30 s leeway.
    assert driver.launch(claims={"iat": now + 10, "exp": now - 10}).status_code == 303


def test_leeway_is_configurable(database_url, tmp_path, platform):
    from tests.conftest import LaunchDriver as Driver, create_platform, make_app

    strict = make_app(database_url, tmp_path, JWT_LEEWAY=0)
    create_platform(strict, platform)
    driver = Driver(strict.test_client(), platform)
    resp = driver.launch(claims={"exp": int(time.time()) - 10})
    assert resp.status_code == 401 and "token_expired" in resp.get_data(as_text=True)
