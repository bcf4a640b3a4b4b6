"""The production entrypoint (gunicorn, several workers) serves complete launches."""

from __future__ import annotations

import json

import requests

from tests.conftest import parse_form


def full_launch(live, platform, hint: str) -> tuple[requests.Response, dict]:
    """Login -> platform auth -> launch over real HTTP, carrying cookies like a browser."""
    login = requests.post(live.url + "/lti/login", data={
        "iss": platform.issuer, "login_hint": "u", "client_id": platform.client_id, "lti_message_hint": hint,
        "target_link_uri": live.url + "/lti/launch",
    }, allow_redirects=False, timeout=10)
    assert login.status_code == 302, login.text
    # Only the name=value part is sent back; http.cookies cannot parse 'Partitioned'.
    cookie_header = "; ".join(h.split(";", 1)[0] for h in login.raw.headers.getlist("Set-Cookie"))
    form = parse_form(requests.get(login.headers["Location"], timeout=10).text)
    assert form.action == live.url + "/lti/launch"
    launch = requests.post(form.action, data=form.fields, headers={"Cookie": cookie_header}, allow_redirects=False, timeout=10)
    return launch, {"fields": form.fields, "cookie": cookie_header}


def test_launches_across_two_workers_and_replays_refused(live, platform):
    for _ in range(12):
        resp, sent = full_launch(live, platform, platform.prepare())
        assert resp.status_code == 303, resp.text
        page = requests.get(live.url + resp.headers["Location"], timeout=10)
        assert page.status_code == 200 and "Lateral reading and click restraint" in page.text
        replay = requests.post(live.url + "/lti/launch", data=sent["fields"], headers={"Cookie": sent["cookie"]}, timeout=10)
        assert replay.status_code == 401 and "nonce_replayed" in replay.text
    accepted = [json.loads(line) for line in live.read_log().splitlines() if "launch accepted" in line]
    assert len({entry["pid"] for entry in accepted}) == 2, "both workers should have served launches"


def test_jwks_is_served_with_the_keys_made_on_first_run(live):
    keys = requests.get(live.url + "/.well-known/jwks.json", timeout=10).json()["keys"]
    assert len(keys) == 2
    assert set(live.cli("keys", "list").split()) >= {k["kid"] for k in keys}
