"""Access on the server: learners never reach teacher pages, and no course or school sees another's data."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lti_app import db
from lti_app.grades.models import ScoreDelivery
from lti_app.lti.models import Deployment, Platform
from lti_app.quiz.attempts import Attempt, AttemptStatus
from tests.activity.test_student_flow import Student, gradebook  # noqa: F401 (fixture)
from tests.platform import LTI
from tests.teacher.test_teacher_view import Teacher, finish

TEACHER_PAGES = ["/teach/", "/teach/results", "/teach/results.csv", "/teach/course", "/teach/mark/1",
                 "/guides/", "/guides/lateral-reading", "/preview/lateral-reading/lesson/1",
                 "/preview/lateral-reading/quiz", "/preview/lateral-reading/result"]


@pytest.mark.parametrize("path", TEACHER_PAGES)
def test_a_learner_never_reaches_teacher_pages(driver, app, path):
    student = Student(driver, app, sub="alice")
    assert student.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/teach/resend/1", "/teach/mark/1", "/preview/lateral-reading/restart",
                                  "/preview/lateral-reading/quiz/answer"])
def test_a_learner_cannot_post_to_teacher_actions_even_with_a_valid_form(driver, app, path):
    student = Student(driver, app, sub="alice")
    assert student.post(path, {"points-x": "5"}).status_code == 403


def test_a_learner_in_the_picker_is_refused(driver):
    launch_id = driver.launch_id(message_type="LtiDeepLinkingRequest")
    assert driver.client.get(f"/l/{launch_id}/select/").status_code == 403
    assert driver.client.get(f"/l/{launch_id}/preview/lateral-reading/lesson/1").status_code == 403


def test_a_learner_cannot_open_another_learners_attempt_for_marking(driver, app, gradebook):
    finish(Student(driver, app, sub="alice"))
    with app.app_context():
        alice_attempt = db.session().scalars(select(Attempt.id)).one()
    bob = Student(driver, app, sub="bob")
    assert bob.get(f"/teach/mark/{alice_attempt}").status_code == 403
    assert "Alice" not in bob.get("/result", follow_redirects=True).get_data(as_text=True)


def test_forged_or_missing_csrf_is_refused_for_teachers(driver, app):
    teacher = Teacher(driver)
    teacher.get("/teach/results")
    resp = teacher.client.post(teacher.base + "/teach/resend/1", data={"csrf": "forged"})
    assert resp.status_code == 400


def test_another_course_sees_nothing_of_this_course(driver, app, gradebook):
    finish(Student(driver, app, sub="alice"))
    with app.app_context():
        attempt_id = db.session().scalars(select(Attempt.id)).one()
        delivery_id = db.session().scalars(select(ScoreDelivery.id)).one()
    other = Teacher(driver, claims={LTI + "context": {"id": "course-99", "title": "Another class"}})
    results = other.get("/teach/results").get_data(as_text=True)
    assert "No student has opened this activity yet." in results
    assert "alice" not in other.get("/teach/results.csv").get_data(as_text=True)
    assert other.get(f"/teach/mark/{attempt_id}").status_code == 404
    other.get("/preview/lateral-reading/lesson/1")  # for a CSRF token
    assert other.post(f"/teach/resend/{delivery_id}", {}).status_code == 404
    assert "Lateral reading" not in other.get("/teach/course").get_data(as_text=True)


def test_another_school_with_the_same_course_and_link_ids_sees_nothing(driver, app):
    """Two schools' LMSs can use the same ids; the platform keeps them apart."""
    with app.app_context():
        sess = db.session()
        school = Platform(issuer="https://other-school.example", client_id="other", name="Other school",
                          auth_login_url="https://other-school.example/auth",
                          auth_token_url="https://other-school.example/token",
                          key_set_url="https://other-school.example/jwks",
                          deployments=[Deployment(deployment_id="deployment-1")])
        sess.add(school)
        sess.flush()
        sess.add(Attempt(platform_id=school.id, deployment_id="deployment-1", context_id="course-42",
                         resource_link_id="link-7", user_sub="zoe", module_id="lateral-reading", number=1,
                         status=AttemptStatus.SUBMITTED, answers={}, drafts={}, practice={}, marks={},
                         score=1.0, max_score=8.0))
        sess.commit()
        foreign = sess.scalars(select(Attempt.id)).one()
    teacher = Teacher(driver)
    assert "No student has opened this activity yet." in teacher.get("/teach/results").get_data(as_text=True)
    assert teacher.get(f"/teach/mark/{foreign}").status_code == 404
    assert "Lateral reading" not in teacher.get("/teach/course").get_data(as_text=True)


def test_another_deployment_of_the_same_platform_sees_nothing(driver, app, registered):
    with app.app_context():
        sess = db.session()
        sess.add(Attempt(platform_id=registered.id, deployment_id="deployment-2", context_id="course-42",
                         resource_link_id="link-7", user_sub="yan", module_id="lateral-reading", number=1,
                         answers={}, drafts={}, practice={}, marks={}))
        sess.commit()
    page = Teacher(driver).get("/teach/results").get_data(as_text=True)
    assert "No student has opened this activity yet." in page
