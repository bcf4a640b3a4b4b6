"""Scores reach the LMS through the outbox: retried with backoff, never lost, never sent twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from lti_app import db
from lti_app.grades import outbox
from lti_app.grades.models import DeliveryStatus, ScoreDelivery
from lti_app.lti import keys
from tests.conftest import create_platform, make_app

SCOPES = ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]


@pytest.fixture
def lms(app, platform):
    row = create_platform(app, platform)
    with app.app_context():
        keys.ensure_keys(db.session())
        platform.tool_jwks = keys.jwks(db.session())
    platform.scores.clear()
    platform.fail_scores.clear()
    yield row.id
    platform.fail_scores.clear()


def score(platform_id, platform, user="student-1", given=8.0, **extra):
    return outbox.ScoreToSend(platform_id=platform_id, lineitem_url=platform.url + "/lineitems/link-7", scopes=SCOPES,
                              user_sub=user, score_given=given, score_maximum=10.0, **extra)


def rows(app):
    with app.app_context():
        return {r.id: r for r in db.session().scalars(select(ScoreDelivery))}


def make_due(app):
    with app.app_context():
        for row in db.session().scalars(select(ScoreDelivery)):
            row.next_try_at = db.utcnow()
        db.session().commit()


def test_score_reaches_the_gradebook(app, platform, lms):
    with app.app_context():
        outbox.enqueue(db.session(), score(lms, platform))
        assert outbox.deliver_due(db.session()) == {"delivered": 1}
    [sent] = platform.scores
    assert sent["userId"] == "student-1" and sent["scoreGiven"] == 8.0 and sent["scoreMaximum"] == 10.0
    assert sent["activityProgress"] == "Completed" and sent["gradingProgress"] == "FullyGraded"
    assert sent["timestamp"].endswith("Z")
    [row] = rows(app).values()
    assert row.status == DeliveryStatus.DELIVERED and row.delivered_at is not None


def test_lms_down_keeps_the_score_queued_with_backoff_until_delivered(app, platform, lms):
    platform.fail_scores.extend([503, 502])
    with app.app_context():
        outbox.enqueue(db.session(), score(lms, platform))
        assert outbox.deliver_due(db.session()) == {"queued": 1}
        assert outbox.deliver_due(db.session()) == {}, "not due again before its backoff"
    [row] = rows(app).values()
    assert row.tries == 1 and "HTTP 503" in row.last_error and row.next_try_at > db.utcnow()
    make_due(app)
    with app.app_context():
        assert outbox.deliver_due(db.session()) == {"queued": 1}
    make_due(app)
    with app.app_context():
        assert outbox.deliver_due(db.session()) == {"delivered": 1}
    assert len(platform.scores) == 1


def test_nothing_is_lost_on_a_restart(app, platform, lms, database_url, tmp_path):
    platform.fail_scores.append(503)
    with app.app_context():
        outbox.enqueue(db.session(), score(lms, platform))
        outbox.deliver_due(db.session())
    make_due(app)
    restarted = make_app(database_url, tmp_path / "restarted")
    with restarted.app_context():
        assert outbox.deliver_due(db.session()) == {"delivered": 1}
    assert len(platform.scores) == 1


def test_after_the_last_try_it_is_failed_with_the_reason_and_can_be_resent(app, platform, lms, runner):
    app.config["GRADE_MAX_TRIES"] = 2
    platform.fail_scores.extend([400, 400])
    with app.app_context():
        row_id = outbox.enqueue(db.session(), score(lms, platform)).id
        outbox.deliver_due(db.session())
    make_due(app)
    with app.app_context():
        assert outbox.deliver_due(db.session()) == {"failed": 1}
    failed = rows(app)[row_id]
    assert failed.status == DeliveryStatus.FAILED and "HTTP 400" in failed.last_error
    listing = runner.invoke(args=["grades", "list", "--status", "failed"]).output
    assert f"{row_id}\tfailed\t8/10" in listing and "HTTP 400" in listing
    assert runner.invoke(args=["grades", "resend", str(row_id)]).exit_code == 0
    assert "1 delivered" in runner.invoke(args=["grades", "deliver"]).output
    assert len(platform.scores) == 1


def test_a_newer_score_supersedes_an_unsent_older_one(app, platform, lms):
    platform.fail_scores.append(503)
    with app.app_context():
        first = outbox.enqueue(db.session(), score(lms, platform, given=3.0)).id
        outbox.deliver_due(db.session())
        outbox.enqueue(db.session(), score(lms, platform, given=9.0))
        outbox.enqueue(db.session(), score(lms, platform, user="student-2", given=5.0))
    make_due(app)
    with app.app_context():
        assert outbox.deliver_due(db.session()) == {"delivered": 2}
    assert rows(app)[first].status == DeliveryStatus.SUPERSEDED
    assert sorted((s["userId"], s["scoreGiven"]) for s in platform.scores) == [("student-1", 9.0), ("student-2", 5.0)]


def test_two_workers_never_send_the_same_score(app, platform, lms, database_url, tmp_path):
    with app.app_context():
        for n in range(40):
            outbox.enqueue(db.session(), score(lms, platform, user=f"student-{n}"))
    workers = [make_app(database_url, tmp_path / f"w{i}") for i in range(3)]
    barrier = threading.Barrier(len(workers))

    def run(worker):
        with worker.app_context():
            barrier.wait()
            outbox.deliver_due(db.session())

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    users = [s["userId"] for s in platform.scores]
    assert len(users) == 40 and len(set(users)) == 40
    assert all(r.status == DeliveryStatus.DELIVERED for r in rows(app).values())


def test_access_token_is_reused_across_scores(app, platform, lms):
    before = platform.token_requests
    with app.app_context():
        for n in range(5):
            outbox.enqueue(db.session(), score(lms, platform, user=f"s{n}"))
        outbox.deliver_due(db.session())
    assert platform.token_requests - before == 1


def test_a_revoked_access_token_is_replaced_once(app, platform, lms):
    with app.app_context():
        outbox.enqueue(db.session(), score(lms, platform, user="a"))
        outbox.deliver_due(db.session())
        platform.issued_access_tokens.clear()  # the LMS forgot every token
        outbox.enqueue(db.session(), score(lms, platform, user="b"))
        assert outbox.deliver_due(db.session()) == {"delivered": 1}


def test_pending_manual_score_has_no_score_given(app, platform, lms):
    with app.app_context():
        outbox.enqueue(db.session(), score(lms, platform, given=None, activity_progress="Submitted", grading_progress="PendingManual"))
        outbox.deliver_due(db.session())
    [sent] = platform.scores
    assert "scoreGiven" not in sent and sent["gradingProgress"] == "PendingManual"


def test_disabled_platform_is_a_clear_reason(app, platform, lms):
    with app.app_context():
        from lti_app.lti.models import Platform

        outbox.enqueue(db.session(), score(lms, platform))
        db.session().get(Platform, lms).enabled = False
        db.session().commit()
        outbox.deliver_due(db.session())
    [row] = rows(app).values()
    assert row.status == DeliveryStatus.QUEUED and "disabled" in row.last_error


def test_backoff_doubles_and_is_capped():
    assert 24 <= outbox.backoff_seconds(1, 30) <= 36
    assert 48 <= outbox.backoff_seconds(2, 30) <= 72
    assert outbox.backoff_seconds(30, 30) <= outbox.MAX_BACKOFF_SECONDS * 1.2


def test_an_lms_that_stays_down_is_retried_past_the_try_limit_for_the_retry_window(app, platform, lms):
    app.config["GRADE_MAX_TRIES"] = 2
    platform.fail_scores.extend([503, 502, 504, 503])
    with app.app_context():
        row_id = outbox.enqueue(db.session(), score(lms, platform)).id
    for _ in range(3):  # more tries than GRADE_MAX_TRIES: an outage is not the score's fault
        make_due(app)
        with app.app_context():
            assert outbox.deliver_due(db.session()) == {"queued": 1}
    with app.app_context():
        row = db.session().get(ScoreDelivery, row_id)
        row.created_at = db.utcnow() - timedelta(hours=app.config["GRADE_RETRY_HOURS"], minutes=1)
        row.next_try_at = db.utcnow()
        db.session().commit()
        assert outbox.deliver_due(db.session()) == {"failed": 1}
        assert outbox.resend(db.session(), row_id)
        assert outbox.deliver_due(db.session()) == {"delivered": 1}, "a resent score gets a fresh window"
    assert len(platform.scores) == 1


def test_two_workers_claim_different_scores(app, platform, lms, database_url, tmp_path):
    with app.app_context():
        for n in range(30):
            outbox.enqueue(db.session(), score(lms, platform, user=f"student-{n}"))
    other = make_app(database_url, tmp_path / "other")
    with app.app_context():
        mine = outbox.claim_due(db.session(), 20)
    with other.app_context():
        theirs = outbox.claim_due(db.session(), 20)
    assert len(mine) == 20 and len(theirs) == 10 and not set(mine) & set(theirs)
    with app.app_context():
        assert outbox.claim_due(db.session(), 20) == [], "claimed rows wait for their lease"
