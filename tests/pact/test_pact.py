"""The MIL CLICKER Pact: read, sign once, completion in the gradebook, a printable card."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from lti_app import db
from lti_app.grades import outbox
from lti_app.pact.content import load_pact
from lti_app.pact.models import PactSignature
from tests.activity.test_student_flow import gradebook  # noqa: F401 (fixture)
from tests.platform import INSTRUCTOR, LTI

ROOT = Path(__file__).resolve().parents[2]
PACT = {LTI + "custom": {"activity": "pact"}}


def open_pact(driver, **scenario):
    launch_id = driver.launch_id(claims=PACT, **scenario)
    page = driver.client.get(f"/l/{launch_id}/", follow_redirects=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True))
    return launch_id, page, csrf.group(1) if csrf else None


def test_the_real_pact_loads_and_names_real_modules():
    modules = {p.name for p in (ROOT / "modules").iterdir() if p.is_dir()}
    pact, errors = load_pact(ROOT / "modules", modules)
    assert errors == [] and len(pact.commitments) >= 6
    assert all(c.modules for c in pact.commitments)


def test_a_pact_naming_a_missing_module_is_reported(tmp_path):
    (tmp_path / "pact.yaml").write_text(
        "schema_version: 1\ntitle: T\nintro: I.\ncommitments:\n  - id: a\n    text: A.\n    why: W.\n    modules: [nope]\n")
    pact, errors = load_pact(tmp_path, {"lateral-reading"})
    assert pact is None and "there is no module 'nope'" in str(errors[0])


def test_a_student_reads_signs_once_and_the_lms_records_completion(driver, app, gradebook):
    launch_id, page, csrf = open_pact(driver, sub="alice")
    text = page.get_data(as_text=True)
    assert "The MIL CLICKER Pact" in text and "I pause before I click" in text
    assert "Learn more in:" in text and "Pause before you share" in text
    refused = driver.client.post(f"/l/{launch_id}/pact/sign", data={"csrf": csrf})
    assert refused.status_code == 422 and "Tick the box" in refused.get_data(as_text=True)
    signed = driver.client.post(f"/l/{launch_id}/pact/sign", data={"csrf": csrf, "agree": "yes"}, follow_redirects=True)
    assert "You signed the Pact" in signed.get_data(as_text=True)
    again = driver.client.post(f"/l/{launch_id}/pact/sign", data={"csrf": csrf, "agree": "yes"})
    assert again.status_code == 303
    with app.app_context():
        assert len(db.session().scalars(select(PactSignature)).all()) == 1
        outbox.deliver_due(db.session())
    (score,) = gradebook.scores
    assert score["userId"] == "alice" and score["scoreGiven"] == 1 and score["scoreMaximum"] == 1
    assert score["activityProgress"] == "Completed" and score["gradingProgress"] == "FullyGraded"
    card = driver.client.get(f"/l/{launch_id}/pact/card").get_data(as_text=True)
    assert "As a MIL CLICKER, I promise:" in card and "I share what I learn" in card


def test_the_card_waits_for_the_signature(driver):
    launch_id, _page, _csrf = open_pact(driver, sub="bob")
    assert driver.client.get(f"/l/{launch_id}/pact/card").status_code == 302


def test_the_teacher_sees_who_signed_and_cannot_sign(driver, app, gradebook):
    launch_id, _page, csrf = open_pact(driver, sub="alice")
    driver.client.post(f"/l/{launch_id}/pact/sign", data={"csrf": csrf, "agree": "yes"})
    gradebook.members["course-42"] = [{"user_id": "alice", "name": "Alice Example", "roles": [], "status": "Active"},
                                      {"user_id": "bob", "name": "Bob Example", "roles": [], "status": "Active"}]
    try:
        teacher_id, page, teacher_csrf = open_pact(driver, roles=INSTRUCTOR, sub="teacher-1")
    finally:
        gradebook.members.clear()
    text = page.get_data(as_text=True)
    assert "1 of 2 students have signed." in text
    assert re.search(r"Bob Example</th><td>Not yet", text)
    assert "Sign the Pact" not in text
    assert driver.client.post(f"/l/{teacher_id}/pact/sign", data={"csrf": teacher_csrf, "agree": "yes"}).status_code in (400, 403)


def test_a_student_never_sees_who_else_signed(driver, app):
    launch_id, _page, csrf = open_pact(driver, sub="alice")
    driver.client.post(f"/l/{launch_id}/pact/sign", data={"csrf": csrf, "agree": "yes"})
    _id, page, _csrf = open_pact(driver, sub="bob")
    assert "Who has signed" not in page.get_data(as_text=True)


def test_pact_pages_need_a_pact_launch(driver):
    launch_id = driver.launch_id()
    assert driver.client.get(f"/l/{launch_id}/pact/").status_code == 404


def test_a_missing_pact_is_explained(driver, app, tmp_path):
    import shutil

    shutil.copytree(ROOT / "modules" / "lateral-reading", tmp_path / "lateral-reading")
    app.config["MODULES_DIR"] = str(tmp_path)
    launch_id = driver.launch_id(claims=PACT)
    resp = driver.client.get(f"/l/{launch_id}/pact/")
    assert resp.status_code == 503 and "pact.yaml" in resp.get_data(as_text=True)
