"""Every bad login or launch gets a 4xx page naming the problem, and a log line; never a 500."""

from __future__ import annotations

import base64
import json
import logging
import time
from typing import Any, Callable

import jwt
import pytest

from tests.conftest import LaunchDriver
from tests.platform import LTI, PlatformKey, Scenario

OTHER_KEY = PlatformKey.generate("platform-key-1")  # same kid, different key: a forgery
ROTATED_KEY = PlatformKey.generate("key-the-tool-never-saw")


def b64(data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unsigned(claims: dict, header: dict) -> str:
    return f"{b64(json.dumps(header))}.{b64(json.dumps(claims))}."


# Each case: build the id_token from (platform, claims) after a genuine login.
Case = Callable[[Any, dict], str]

CASES: list[tuple[str, Case, str, int]] = [
    ("malformed JWT", lambda p, c: "not-a-jwt", "token_malformed", 400),
    ("two-part JWT", lambda p, c: "abc.def", "token_malformed", 400),
    ("header not base64", lambda p, c: "%%%.e30.sig", "token_not_json", 400),
    ("payload not JSON", lambda p, c: f"{b64(json.dumps({'alg': 'RS256', 'kid': p.key.kid}))}.{b64('this is not json')}.c2ln", "token_not_json", 400),
    ("payload is a JSON list", lambda p, c: f"{b64(json.dumps({'alg': 'RS256', 'kid': p.key.kid}))}.{b64('[1,2]')}.c2ln", "token_not_json", 400),
    ("no kid", lambda p, c: jwt.encode(c, p.key.private_pem, algorithm="RS256"), "token_no_kid", 400),
    ("unknown kid", lambda p, c: p.sign(c, key=ROTATED_KEY), "kid_unknown", 401),
    ("bad signature", lambda p, c: p.sign(c, key=OTHER_KEY), "signature_invalid", 401),
    ("alg none", lambda p, c: unsigned(c, {"alg": "none", "kid": p.key.kid}), "alg_not_allowed", 400),
    ("HS256", lambda p, c: jwt.encode(c, "a-shared-secret-of-32-bytes-or-more!", algorithm="HS256", headers={"kid": p.key.kid}), "alg_not_allowed", 400),
    ("wrong aud", lambda p, c: p.sign({**c, "aud": "another-tool", "azp": p.client_id}), "aud_mismatch", 401),
    ("several aud without azp", lambda p, c: p.sign({**c, "aud": [p.client_id, "another-tool"]}), "azp_mismatch", 401),
    ("azp of another party", lambda p, c: p.sign({**c, "aud": [p.client_id, "another-tool"], "azp": "another-tool"}), "client_unknown", 400),
    ("unknown issuer", lambda p, c: p.sign({**c, "iss": "https://lms.unknown.example"}), "issuer_unknown", 400),
    ("unknown client_id", lambda p, c: p.sign({**c, "aud": "client-nobody-registered"}), "client_unknown", 400),
    ("unknown deployment", lambda p, c: p.sign({**c, LTI + "deployment_id": "deployment-999"}), "deployment_pending", 403),
    ("expired", lambda p, c: p.sign({**c, "iat": int(time.time()) - 900, "exp": int(time.time()) - 120}), "token_expired", 401),
    ("iat in the future", lambda p, c: p.sign({**c, "iat": int(time.time()) + 300, "exp": int(time.time()) + 900}), "token_not_yet_valid", 401),
    ("no exp", lambda p, c: p.sign({k: v for k, v in c.items() if k != "exp"}), "token_missing_times", 400),
    ("missing nonce", lambda p, c: p.sign({k: v for k, v in c.items() if k != "nonce"}), "nonce_missing", 400),
    ("another login's nonce", lambda p, c: p.sign({**c, "nonce": "nonce-from-elsewhere"}), "nonce_mismatch", 400),
    ("missing LTI version", lambda p, c: p.sign({k: v for k, v in c.items() if k != LTI + "version"}), "version_invalid", 400),
    ("wrong LTI version", lambda p, c: p.sign({**c, LTI + "version": "1.1"}), "version_invalid", 400),
    ("missing message_type", lambda p, c: p.sign({k: v for k, v in c.items() if k != LTI + "message_type"}), "message_type_missing", 400),
    ("unsupported message_type", lambda p, c: p.sign({**c, LTI + "message_type": "LtiSubmissionReviewRequest"}), "message_type_unsupported", 400),
    ("missing roles", lambda p, c: p.sign({k: v for k, v in c.items() if k != LTI + "roles"}), "roles_missing", 400),
    ("roles not a list", lambda p, c: p.sign({**c, LTI + "roles": "Learner"}), "roles_invalid", 400),
    ("missing deployment_id", lambda p, c: p.sign({k: v for k, v in c.items() if k != LTI + "deployment_id"}), "deployment_missing", 400),
    ("missing resource_link id", lambda p, c: p.sign({**c, LTI + "resource_link": {"title": "x"}}), "resource_link_missing", 400),
    ("missing sub", lambda p, c: p.sign({k: v for k, v in c.items() if k != "sub"}), "sub_missing", 400),
    ("empty sub", lambda p, c: p.sign({**c, "sub": ""}), "sub_missing", 400),
    ("oversized token", lambda p, c: p.sign({**c, "padding": "x" * 70_000}), "token_too_large", 413),
    ("deep linking without return url", lambda p, c: p.sign({
        **c, LTI + "message_type": "LtiDeepLinkingRequest",
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": {"accept_types": ["ltiResourceLink"], "accept_presentation_document_targets": ["iframe"]},
    }), "deep_linking_invalid", 400),
]


@pytest.mark.parametrize("build, code, status", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_launch_is_refused_with_a_clear_page(driver: LaunchDriver, caplog, build, code, status):
    login = driver.login(driver.platform.prepare())
    claims = driver.platform.claims_for(Scenario(), login.nonce)
    with caplog.at_level(logging.WARNING):
        resp = driver.post_launch({"id_token": build(driver.platform, claims), "state": login.state})
    text = resp.get_data(as_text=True)
    assert resp.status_code == status, text
    assert f"Error code: {code}" in text
    assert "This activity could not be opened" in text
    assert "Traceback" not in text
    assert any(f"code={code}" in r.getMessage() for r in caplog.records)


def _genuine(driver: LaunchDriver) -> tuple[dict, Any]:
    login = driver.login(driver.platform.prepare())
    return driver.authorize(login), login


def test_replayed_id_token_is_refused(driver: LaunchDriver):
    fields, _ = _genuine(driver)
    assert driver.post_launch(fields).status_code == 303
    again = driver.post_launch(fields)
    assert again.status_code == 401
    assert "nonce_replayed" in again.get_data(as_text=True)


def test_replay_on_another_worker_is_refused(driver: LaunchDriver, database_url, tmp_path):
    from tests.conftest import make_app

    fields, _ = _genuine(driver)
    assert driver.post_launch(fields).status_code == 303
    other_worker = make_app(database_url, tmp_path / "other").test_client()
    # The attacker has the token and even the state cookie; only the used nonce stops them.
    other_worker.set_cookie(f"lti1p3-{fields['state']}", fields["state"], domain="localhost")
    resp = other_worker.post("/lti/launch", data=fields)
    assert resp.status_code == 401
    assert "nonce_replayed" in resp.get_data(as_text=True)


def test_missing_state_is_refused(driver: LaunchDriver):
    fields, _ = _genuine(driver)
    resp = driver.post_launch({"id_token": fields["id_token"]})
    assert resp.status_code == 400 and "state_missing" in resp.get_data(as_text=True)


def test_state_the_tool_never_issued_is_refused(driver: LaunchDriver):
    fields, _ = _genuine(driver)
    resp = driver.post_launch({**fields, "state": "state-forged"})
    assert resp.status_code == 400 and "state_unknown" in resp.get_data(as_text=True)


def test_state_cookie_with_another_value_is_refused(driver: LaunchDriver):
    fields, _ = _genuine(driver)
    driver.client.set_cookie(f"lti1p3-{fields['state']}", "state-tampered", domain="localhost")
    resp = driver.post_launch(fields)
    assert resp.status_code == 400 and "state_mismatch" in resp.get_data(as_text=True)


def test_state_of_another_login_is_refused(driver: LaunchDriver):
    fields_a, _ = _genuine(driver)
    fields_b, _ = _genuine(driver)
    resp = driver.post_launch({"id_token": fields_a["id_token"], "state": fields_b["state"]})
    assert resp.status_code == 400 and "nonce_mismatch" in resp.get_data(as_text=True)


def test_blocked_cookies_offer_a_new_window(driver: LaunchDriver, app):
    fields, _ = _genuine(driver)
    resp = app.test_client().post("/lti/launch", data=fields)  # a browser that kept no cookie
    text = resp.get_data(as_text=True)
    assert resp.status_code == 401
    assert "cookies_blocked" in text
    assert 'target="_blank"' in text and "/lti/login?" in text and "login_hint=user-login-hint" in text


def test_disabled_platform_cannot_launch(driver: LaunchDriver, app):
    from lti_app import db
    from lti_app.lti.models import Platform

    fields, _ = _genuine(driver)
    with app.app_context():
        for row in db.session().query(Platform):
            row.enabled = False
        db.session().commit()
    resp = driver.post_launch(fields)
    assert resp.status_code == 403 and "platform_disabled" in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    "params, code",
    [
        ({"iss": None}, "login_missing_iss"),
        ({"login_hint": None}, "login_missing_login_hint"),
        ({"iss": "https://unknown-lms.example"}, "login_unknown_platform"),
        ({"client_id": "nobody"}, "login_unknown_platform"),
    ],
    ids=["no iss", "no login_hint", "unknown issuer", "unknown client id"],
)
def test_bad_login_request_is_refused(driver: LaunchDriver, params, code):
    login = driver.login("hint", **params)
    assert login.response.status_code == 400
    assert code in login.response.get_data(as_text=True)


def test_login_without_client_id_picks_the_only_registration(driver: LaunchDriver):
    login = driver.login(driver.platform.prepare(), client_id=None)
    assert login.response.status_code == 302


def test_a_request_body_over_the_limit_is_a_413_page(client):
    resp = client.post("/lti/launch", data={"id_token": "x" * (3 * 1024 * 1024)})
    assert resp.status_code == 413
    assert "too large" in resp.get_data(as_text=True)
