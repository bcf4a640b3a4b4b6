"""The tool's keys: made on first run, published with the next key, rotated with overlap."""

from __future__ import annotations

from datetime import timedelta

import jwt
from sqlalchemy import delete, select

from lti_app import db
from lti_app.lti import keys
from lti_app.lti.models import KeyState, ToolKey


def _reset(app):
    with app.app_context():
        db.session().execute(delete(ToolKey))
        db.session().commit()


def test_first_run_makes_current_and_next_keys_and_publishes_both(app, client):
    _reset(app)
    body = client.get("/.well-known/jwks.json").get_json()
    with app.app_context():
        states = {k.kid: k.state for k in db.session().scalars(select(ToolKey))}
    assert sorted(states.values()) == [KeyState.CURRENT, KeyState.NEXT]
    assert {k["kid"] for k in body["keys"]} == set(states)
    for key in body["keys"]:
        assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
        assert "d" not in key and "p" not in key  # never the private half
    assert client.get("/lti/jwks").get_json() == body


def test_rotation_keeps_the_old_key_published_for_the_overlap(app, client):
    _reset(app)
    with app.app_context():
        sess = db.session()
        keys.ensure_keys(sess)
        old = keys.current_key(sess)
        upcoming = sess.scalar(select(ToolKey).where(ToolKey.state == KeyState.NEXT))
        promoted = keys.rotate(sess, overlap_hours=24)
        assert promoted.kid == upcoming.kid
        assert keys.current_key(sess).kid == upcoming.kid
    published = {k["kid"] for k in client.get("/.well-known/jwks.json").get_json()["keys"]}
    assert old.kid in published and upcoming.kid in published and len(published) == 3


def test_previous_key_disappears_after_its_overlap(app, client):
    _reset(app)
    with app.app_context():
        sess = db.session()
        keys.ensure_keys(sess)
        old = keys.current_key(sess)
        keys.rotate(sess, overlap_hours=0)
        previous = sess.scalar(select(ToolKey).where(ToolKey.kid == old.kid))
        previous.expires_at = previous.expires_at - timedelta(seconds=1)
        sess.commit()
    published = {k["kid"] for k in client.get("/.well-known/jwks.json").get_json()["keys"]}
    assert old.kid not in published and len(published) == 2


def test_signatures_from_the_current_key_verify_against_the_published_jwks(app, client):
    with app.app_context():
        key = keys.current_key(db.session())
    token = jwt.encode({"iss": "milclicks"}, key.private_pem, algorithm="RS256", headers={"kid": key.kid})
    jwks = jwt.PyJWKSet.from_dict(client.get("/.well-known/jwks.json").get_json())
    signing = next(k for k in jwks.keys if k.key_id == jwt.get_unverified_header(token)["kid"])
    assert jwt.decode(token, signing.key, algorithms=["RS256"])["iss"] == "milclicks"


def test_rotate_command(runner, app):
    _reset(app)
    result = runner.invoke(args=["keys", "rotate", "--overlap-hours", "12"])
    assert result.exit_code == 0, result.output
    assert "previous key stays published for 12 hours" in result.output
    listing = runner.invoke(args=["keys", "list"]).output
    assert listing.count("\n") == 3 and "previous" in listing and "current" in listing and "next" in listing
