"""Spaced review: the booster questions come back a week and a month after the quiz."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from lti_app import db
from lti_app.quiz.attempts import Attempt
from tests.activity.answers import best_form
from tests.activity.test_student_flow import Student
from tests.platform import INSTRUCTOR
from tests.teacher.test_teacher_view import Teacher, finish


def age_submission(app, days: int) -> None:
    with app.app_context():
        for attempt in db.session().scalars(select(Attempt)):
            if attempt.submitted_at:
                attempt.submitted_at -= timedelta(days=days)
        db.session().commit()


def take_review(student):
    with student.app.app_context():
        booster = student.module().booster.questions
    for question in booster:
        resp = student.post("/review", {"question": question.id, **best_form(question)})
        assert resp.status_code == 303
    return student.client.get(resp.headers["Location"])


def test_the_review_comes_a_week_and_a_month_later(driver, app):
    student = Student(driver, app, sub="alice")
    finish(student)
    assert student.get("/").headers["Location"].endswith("/result")
    assert student.get("/review").status_code == 303  # not yet due
    age_submission(app, 8)
    assert student.get("/").headers["Location"].endswith("/review")
    page = student.get("/review").get_data(as_text=True)
    assert "A week has passed since your quiz" in page and "does not change your grade" in page
    assert "Time for a quick review" in student.get("/result").get_data(as_text=True)
    done = take_review(student).get_data(as_text=True)
    assert "Review done" in done and "You answered 3 of 3 questions fully right." in done
    assert student.get("/").headers["Location"].endswith("/result")
    age_submission(app, 30)
    assert "A month has passed" in student.get("/review").get_data(as_text=True)
    assert "That was the last review" in take_review(student).get_data(as_text=True)
    assert student.get("/review").status_code == 303


def test_a_wrong_review_form_is_explained_and_keeps_earlier_answers(driver, app):
    student = Student(driver, app, sub="alice")
    finish(student)
    age_submission(app, 8)
    with app.app_context():
        first, second = student.module().booster.questions[:2]
    student.post("/review", {"question": first.id, **best_form(first)})
    resp = student.post("/review", {"question": second.id})
    assert resp.status_code == 422
    assert 'id="q-%s"' % first.id in resp.get_data(as_text=True)
    assert student.post("/review", {"question": "no-such-question"}).status_code == 400


def test_teachers_see_reviews_done_and_can_try_the_review_at_once(driver, app):
    student = Student(driver, app, sub="alice")
    finish(student)
    age_submission(app, 8)
    take_review(student)
    teacher = Teacher(driver)
    assert "1 of 2" in teacher.get("/teach/results").get_data(as_text=True)
    teacher.get("/preview/lateral-reading/lesson/1")
    with app.app_context():
        module = student.module()
    for question in module.quiz.questions:
        teacher.post("/preview/lateral-reading/quiz/answer", {"question": question.id, **best_form(question)})
    quiz = teacher.get("/preview/lateral-reading/quiz").get_data(as_text=True)
    attempt = re.search(r'name="attempt" value="(\d+)"', quiz).group(1)
    teacher.post("/preview/lateral-reading/quiz/submit", {"attempt": attempt})
    assert "Quick review" in teacher.get("/preview/lateral-reading/review").get_data(as_text=True)
