"""A student takes the lesson and the quiz inside the LMS; the grade reaches the gradebook."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lti_app import content, db
from lti_app.grades import outbox
from lti_app.grades.models import ScoreDelivery
from lti_app.lti import keys
from lti_app.quiz.attempts import Attempt, AttemptStatus
from tests.activity.answers import best_form
from tests.conftest import LaunchDriver
from tests.platform import INSTRUCTOR, LTI

AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"


class Student:
    """A learner's browser on one launch."""

    def __init__(self, driver: LaunchDriver, app, **scenario):
        self.app = app
        self.client = driver.client
        self.launch_id = driver.launch_id(**scenario)
        self.base = f"/l/{self.launch_id}"
        home = self.client.get(self.base + "/", follow_redirects=True)
        assert home.status_code == 200, home.get_data(as_text=True)
        if "/teach/" in home.request.path:  # a teacher lands on the teacher view; the lesson has the form
            home = self.client.get(self.base + "/lesson/1")
        self.csrf = re.search(r'name="csrf" value="([^"]+)"', home.get_data(as_text=True)).group(1)

    def get(self, path: str, **kwargs):
        return self.client.get(self.base + path, **kwargs)

    def post(self, path: str, data: dict, **kwargs):
        return self.client.post(self.base + path, data={"csrf": self.csrf, **data}, **kwargs)

    def module(self):
        with self.app.app_context():
            return content.catalogue().get("lateral-reading")

    def answer(self, question, form=None):
        return self.post("/quiz/answer", {"question": question.id, **(form or best_form(question))})

    def attempt_id(self) -> str:
        return re.search(r'name="attempt" value="(\d+)"', self.get("/quiz").get_data(as_text=True)).group(1)

    def submit(self):
        return self.post("/quiz/submit", {"attempt": self.attempt_id()}, follow_redirects=True)


@pytest.fixture
def gradebook(app, platform, registered):
    with app.app_context():
        keys.ensure_keys(db.session())
        platform.tool_jwks = keys.jwks(db.session())
    platform.scores.clear()
    platform.fail_scores.clear()
    return platform


def test_lesson_pages_with_progress_next_previous_and_resume(driver, app):
    student = Student(driver, app)
    first = student.get("/lesson/1").get_data(as_text=True)
    assert "Page 1 of 5" in first and "Next page" in first and "Previous page" not in first
    assert 'alt="A glass of tap water' in first  # the mock post's image keeps its alt text
    student.get("/lesson/3")
    resumed = student.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Page 3 of 5" in resumed
    last = student.get("/lesson/5").get_data(as_text=True)
    assert "Go to the quiz" in last
    assert student.get("/lesson/6").status_code == 404


def test_practice_item_gives_immediate_feedback(driver, app):
    student = Student(driver, app)
    module = student.module()
    page = next(i for i, p in enumerate(module.pages, start=1) if p.practice)
    question = module.pages[page - 1].practice[0]
    resp = student.post(f"/lesson/{page}", {"question": question.id, **best_form(question)}, follow_redirects=True)
    text = resp.get_data(as_text=True)
    assert "Feedback" in text and "You scored" in text


def test_full_quiz_is_scored_on_the_server_and_the_grade_reaches_the_lms(driver, app, gradebook):
    student = Student(driver, app)
    module = student.module()
    for question in module.quiz.questions:
        resp = student.answer(question)
        assert resp.status_code == 303
    page = student.get("/quiz").get_data(as_text=True)
    assert f"You have checked {len(module.quiz.questions)} of {len(module.quiz.questions)} questions" in page
    # A forged score in the form changes nothing: the server scores stored answers.
    result = student.post("/quiz/submit", {"attempt": student.attempt_id(), "score": "0"}, follow_redirects=True)
    text = result.get_data(as_text=True)
    maximum = module.quiz.max_points
    assert result.status_code == 200 and "Your result" in text
    assert "Well done" in text and "on its way to your course gradebook" in text
    with app.app_context():
        assert outbox.deliver_due(db.session()) == {"delivered": 1}
        attempt = db.session().scalar(select(Attempt))
    [sent] = gradebook.scores
    assert sent["scoreGiven"] == attempt.score == maximum and sent["scoreMaximum"] == maximum
    assert sent["gradingProgress"] == "FullyGraded" and sent["activityProgress"] == "Completed"
    assert sent["userId"] == attempt.user_sub and sent["lineitem"] == "link-7"
    assert "Your grade is in your course gradebook" in student.get("/result").get_data(as_text=True)


def test_a_double_submission_counts_once(driver, app, gradebook):
    student = Student(driver, app)
    question = student.module().quiz.questions[0]
    student.answer(question)
    attempt_id = student.attempt_id()
    student.post("/quiz/submit", {"attempt": attempt_id})
    student.post("/quiz/submit", {"attempt": attempt_id})
    with app.app_context():
        assert db.session().query(Attempt).count() == 1
        assert db.session().query(ScoreDelivery).count() == 1


def test_a_bad_answer_is_refused_with_a_message_and_nothing_saved_is_lost(driver, app):
    student = Student(driver, app)
    first, second = student.module().quiz.questions[:2]
    student.answer(first)
    bad = student.post("/quiz/answer", {"question": second.id})
    assert bad.status_code == 422
    assert 'role="alert"' in bad.get_data(as_text=True)
    with app.app_context():
        attempt = db.session().scalar(select(Attempt))
        assert list(attempt.answers) == [first.id]
    assert student.post("/quiz/answer", {"question": "no-such-question"}).status_code == 400


def test_a_checked_answer_is_final_for_the_attempt(driver, app):
    student = Student(driver, app)
    question = next(q for q in student.module().quiz.questions if q.type == "single_choice")
    wrong = next(o.id for o in question.options if not o.correct)
    student.answer(question, {question.id: wrong})
    student.answer(question)  # a second try at the same question is ignored
    with app.app_context():
        assert db.session().scalar(select(Attempt)).answers[question.id] == wrong


def test_drafts_are_kept_across_a_reload(driver, app):
    student = Student(driver, app)
    question = next(q for q in student.module().quiz.questions if q.type == "single_choice")
    option = question.options[1].id
    assert student.post("/quiz/draft", {"question": question.id, question.id: option}).get_json() == {"saved": True}
    page = student.get("/quiz").get_data(as_text=True)
    assert re.search(rf'value="{option}"[^>]*checked', page)


def test_posts_without_the_csrf_token_are_refused(driver, app):
    student = Student(driver, app)
    question = student.module().quiz.questions[0]
    resp = student.client.post(student.base + "/quiz/answer", data={"question": question.id, **best_form(question)})
    assert resp.status_code == 400


def test_attempts_limit_and_retry(driver, app, gradebook):
    student = Student(driver, app, claims={LTI + "custom": {"module_id": "lateral-reading", "attempts": "2", "grade_policy": "best"}})
    questions = student.module().quiz.questions
    for q in questions:
        student.answer(q)
    assert "Try the quiz again" in student.submit().get_data(as_text=True)
    assert student.post("/retry", {}).status_code == 303
    student.answer(questions[0])  # a weaker second attempt
    second = student.submit().get_data(as_text=True)
    assert "Try the quiz again" not in second and "Attempts used: 2 of 2" not in second
    assert "Your gradebook shows your best attempt" in second
    with app.app_context():
        rows = db.session().scalars(select(ScoreDelivery).order_by(ScoreDelivery.id)).all()
        assert len(rows) == 2 and rows[0].score_given == rows[1].score_given  # best attempt counted both times
    assert student.post("/retry", {}).headers["Location"].endswith("/result")


def test_grade_policy_last(driver, app, gradebook):
    student = Student(driver, app, claims={LTI + "custom": {"module_id": "lateral-reading", "grade_policy": "last"}})
    questions = student.module().quiz.questions
    for q in questions:
        student.answer(q)
    student.submit()
    student.post("/retry", {})
    student.submit()
    with app.app_context():
        last = db.session().scalars(select(ScoreDelivery).order_by(ScoreDelivery.id.desc())).first()
        assert last.score_given == 0


def test_without_ags_the_student_is_told_no_grade_is_sent(driver, app):
    student = Student(driver, app, remove=(AGS,))
    student.answer(student.module().quiz.questions[0])
    text = student.submit().get_data(as_text=True)
    assert "does not send grades to your course gradebook" in text
    with app.app_context():
        assert db.session().query(ScoreDelivery).count() == 0


def test_teacher_preview_sends_no_grade_and_shows_setting_warnings(driver, app):
    student = Student(driver, app, roles=INSTRUCTOR,
                      claims={LTI + "custom": {"module_id": "lateral-reading", "pass_mark": "150"}})
    page = student.get("/lesson/1").get_data(as_text=True)
    assert "Teacher preview" in page and "pass_mark=&#39;150&#39;" in page
    student.answer(student.module().quiz.questions[0])
    assert "teacher preview, so no grade is sent" in student.submit().get_data(as_text=True)


def test_students_never_see_each_others_attempts(driver, app):
    alice = Student(driver, app, sub="alice")
    question = alice.module().quiz.questions[0]
    alice.answer(question)
    bob = Student(driver, app, sub="bob")
    assert "You have checked 0 of" in bob.get("/quiz").get_data(as_text=True)
    with app.app_context():
        owners = {a.user_sub for a in db.session().scalars(select(Attempt))}
    assert owners == {"alice", "bob"}


def test_an_activity_without_a_module_is_a_clear_404(driver, app):
    launch_id = driver.launch_id(claims={LTI + "custom": {}})
    resp = driver.client.get(f"/l/{launch_id}/")
    assert resp.status_code == 404 and "module_unknown" in resp.get_data(as_text=True)
    launch_id = driver.launch_id(claims={LTI + "custom": {"module_id": "no-such-module"}})
    text = driver.client.get(f"/l/{launch_id}/").get_data(as_text=True)
    assert "no-such-module" in text


def test_a_written_reflection_goes_to_the_gradebook_as_pending_manual(driver, app, gradebook):
    student = Student(driver, app, claims={LTI + "custom": {"module_id": "manipulation-techniques"}})
    with app.app_context():
        module = content.catalogue().get("manipulation-techniques")
    reflection = next(q for q in module.quiz.questions if q.type == "reflection")
    too_short = student.answer(reflection, {reflection.id: "no"})
    assert too_short.status_code == 422 and "Write at least" in too_short.get_data(as_text=True)
    student.answer(reflection)
    text = student.submit().get_data(as_text=True)
    assert "Your teacher will read your written answer" in text
    with app.app_context():
        outbox.deliver_due(db.session())
    [sent] = gradebook.scores
    assert sent["gradingProgress"] == "PendingManual"


def test_without_a_line_item_the_tool_creates_one_where_the_platform_allows(driver, app, gradebook):
    gradebook.lineitems.clear()
    ags = {"scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                     "https://purl.imsglobal.org/spec/lti-ags/scope/score"],
           "lineitems": gradebook.url + "/lineitems"}
    for sub in ("ana", "ben"):
        student = Student(driver, app, sub=sub, claims={AGS: ags})
        student.answer(student.module().quiz.questions[0])
        assert "on its way to your course gradebook" in student.submit().get_data(as_text=True)
    with app.app_context():
        assert outbox.deliver_due(db.session()) == {"delivered": 2}
    [created] = gradebook.lineitems  # one column for the link, found again for the second student
    assert created["resourceId"] == "lateral-reading" and created["resourceLinkId"] == "link-7"
    assert created["label"] == "Lateral reading and click restraint" and created["tag"] == "milclicks:link-7"
    assert {s["lineitem"] for s in gradebook.scores} == {"created-1"}
    assert sorted(s["userId"] for s in gradebook.scores) == ["ana", "ben"]


def test_without_line_item_or_permission_to_create_one_no_grade_is_sent(driver, app):
    ags = {"scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"], "lineitems": "https://lms.example/lineitems"}
    student = Student(driver, app, claims={AGS: ags})
    student.answer(student.module().quiz.questions[0])
    assert "does not send grades" in student.submit().get_data(as_text=True)
