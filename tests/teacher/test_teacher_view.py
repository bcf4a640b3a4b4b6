"""The teacher view: preview, class results from the LMS roster, marking, grade delivery."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from lti_app import content, db
from lti_app.grades import outbox
from lti_app.grades.models import DeliveryStatus, ScoreDelivery
from lti_app.quiz.attempts import Attempt
from tests.activity.answers import best_form
from tests.activity.test_student_flow import Student, gradebook  # noqa: F401 (fixture)
from tests.platform import INSTRUCTOR, LEARNER, LTI, ROLE

MANIPULATION = {LTI + "custom": {"module_id": "manipulation-techniques"}}


def member(sub, name=None, roles=LEARNER, status="Active"):
    found = {"user_id": sub, "roles": roles, "status": status}
    if name:
        found["name"] = name
    return found


class Teacher:
    def __init__(self, driver, **scenario):
        self.client = driver.client
        self.launch_id = driver.launch_id(roles=INSTRUCTOR, sub="teacher-1", **scenario)
        self.base = f"/l/{self.launch_id}"
        self.csrf = None

    def get(self, path, **kwargs):
        resp = self.client.get(self.base + path, **kwargs)
        found = re.search(r'name="csrf" value="([^"]+)"', resp.get_data(as_text=True))
        if found:
            self.csrf = found.group(1)
        return resp

    def post(self, path, data, **kwargs):
        return self.client.post(self.base + path, data={"csrf": self.csrf, **data}, **kwargs)


def finish(student, wrong: dict | None = None, module_id: str = "lateral-reading"):
    """Answer every quiz question (best answers unless ``wrong`` gives another form) and submit."""
    with student.app.app_context():
        module = content.catalogue().get(module_id)
    for question in module.quiz.questions:
        student.answer(question, (wrong or {}).get(question.id))
    return student.submit()


@pytest.fixture
def roster(platform, gradebook):
    platform.members["course-42"] = [
        member("alice", "Alice Example"), member("bob"), member("carol", "Carol Sample"),
        member("teacher-1", "Ms Teacher", roles=INSTRUCTOR), member("dan", "Dan Left", status="Inactive"),
    ]
    platform.nrps_status = None
    yield platform
    platform.members.clear()
    platform.nrps_status = None


def test_results_list_the_class_with_status_score_and_time(driver, app, gradebook, roster):
    alice = Student(driver, app, sub="alice")
    finish(alice)
    bob = Student(driver, app, sub="bob")
    bob.get("/lesson/2")
    teacher = Teacher(driver)
    page = teacher.get("/teach/results").get_data(as_text=True)
    rows = dict(re.findall(r'<th scope="row">([^<]+?)(?: <span[^>]*>.*?</span>)?</th>\s*<td>([^<]+)', page))
    assert rows["Alice Example"].startswith("Submitted")
    assert rows["Carol Sample"].startswith("Not started")
    assert any(label.startswith("#") and status.startswith("In progress") for label, status in rows.items())
    assert "Ms Teacher" not in page  # staff are not students
    assert "Dan Left" in page and "(inactive)" in page
    assert "100%" in page
    assert "Sent" in page or "Waiting to send" in page
    # Charts are SVG images with a title, a description and the numbers as a table.
    assert page.count('<svg role="img"') >= 2
    assert '<title id="chart-scores-title">Students by score</title>' in page
    assert "Show the numbers as a table" in page


def test_without_a_class_list_the_students_who_opened_it_are_shown(driver, app, roster):
    roster.nrps_status = 500
    Student(driver, app, sub="alice").get("/lesson/1")
    page = Teacher(driver).get("/teach/results").get_data(as_text=True)
    assert "The LMS did not send the class list" in page
    assert "In progress" in page and "Alice Example" not in page


def test_the_class_list_is_read_page_by_page(driver, app, roster):
    roster.members_page_size = 2
    try:
        page = Teacher(driver).get("/teach/results").get_data(as_text=True)
    finally:
        roster.members_page_size = 100
    assert "Alice Example" in page and "Carol Sample" in page and "Dan Left" in page


def test_per_question_analysis_shows_the_most_chosen_wrong_answer(driver, app, roster):
    module = Student(driver, app, sub="probe").module()
    question = next(q for q in module.quiz.questions if q.type == "single_choice")
    wrong = next(o for o in question.options if not o.correct)
    for sub in ("alice", "bob"):
        finish(Student(driver, app, sub=sub), {question.id: {question.id: wrong.id}})
    finish(Student(driver, app, sub="carol"))
    page = Teacher(driver).get("/teach/results").get_data(as_text=True)
    number = module.quiz.questions.index(question) + 1
    row = re.search(rf'<span class="meta">Q{number}</span>.*?</tr>', page, re.S).group(0)
    assert "33%" in row and "(2 students)" in row
    assert wrong.feedback.split()[0] in row


def test_results_download_as_csv(driver, app, roster):
    finish(Student(driver, app, sub="alice"))
    resp = Teacher(driver).get("/teach/results.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    alice = next(r for r in rows if r["student"] == "Alice Example")
    assert alice["status"] == "submitted" and alice["percent"] == "100.0" and alice["attempts"] == "1"
    assert next(r for r in rows if r["student"] == "Carol Sample")["status"] == "not started"
    assert any(key.startswith("q:") for key in alice)


def test_csv_cells_cannot_become_spreadsheet_formulas(driver, app, roster):
    roster.members["course-42"] = [member("eve", "=HYPERLINK(\"http://evil.example\")")]
    rows = list(csv.reader(io.StringIO(Teacher(driver).get("/teach/results.csv").get_data(as_text=True))))
    assert rows[1][0].startswith("'=")


def test_teacher_preview_is_kept_apart_from_the_class(driver, app, roster):
    teacher = Teacher(driver)
    lesson = teacher.get("/preview/lateral-reading/lesson/1")
    assert lesson.status_code == 200 and "Teacher preview" in lesson.get_data(as_text=True)
    module = Student(driver, app, sub="alice").module()
    question = module.quiz.questions[0]
    teacher.post("/preview/lateral-reading/quiz/answer", {"question": question.id, **best_form(question)})
    with app.app_context():
        links = {a.resource_link_id for a in db.session().scalars(select(Attempt).where(Attempt.user_sub == "teacher-1"))}
    assert links == {"preview:lateral-reading"}
    page = teacher.get("/teach/results").get_data(as_text=True)
    assert "Ms Teacher" not in page and "Teacher preview" not in page
    restarted = teacher.post("/preview/lateral-reading/restart", {})
    assert restarted.status_code == 303
    with app.app_context():
        assert db.session().scalars(select(Attempt).where(Attempt.user_sub == "teacher-1")).all() == []


def test_a_teacher_previews_any_module_from_the_picker(driver, app):
    launch_id = driver.launch_id(message_type="LtiDeepLinkingRequest", roles=INSTRUCTOR)
    page = driver.client.get(f"/l/{launch_id}/preview/pause-before-you-share/lesson/1")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Pause before you share" in text and "Back to the catalogue" in text
    assert driver.client.get(f"/l/{launch_id}/preview/no-such-module/lesson/1").status_code == 404


def test_marking_a_reflection_sends_the_full_grade_with_the_comment(driver, app, gradebook):
    student = Student(driver, app, sub="alice", claims=MANIPULATION)
    finish(student, module_id="manipulation-techniques")
    with app.app_context():
        outbox.deliver_due(db.session())
    assert gradebook.scores[-1]["gradingProgress"] == "PendingManual"
    teacher = Teacher(driver, claims=MANIPULATION)
    results = teacher.get("/teach/results").get_data(as_text=True)
    link = re.search(r'href="(/l/[^"]+/teach/mark/\d+)"', results).group(1)
    form = teacher.get(link.removeprefix(teacher.base)).get_data(as_text=True)
    assert "I would stop, search for who made the post" in form
    qid = re.search(r'name="points-([^"]+)"', form).group(1)
    refused = teacher.client.post(link, data={"csrf": teacher.csrf, f"points-{qid}": "99"})
    assert refused.status_code == 422 and "Give a score from 0 to" in refused.get_data(as_text=True)
    top = re.search(r"Score \(0 to ([\d.]+)\)", form).group(1)
    done = teacher.client.post(link, data={"csrf": teacher.csrf, f"points-{qid}": top, f"comment-{qid}": "Clear steps, well done."})
    assert done.status_code == 303
    with app.app_context():
        outbox.deliver_due(db.session())
    last = gradebook.scores[-1]
    assert last["gradingProgress"] == "FullyGraded" and last["comment"] == "Clear steps, well done."
    assert last["scoreGiven"] == last["scoreMaximum"]
    result = student.get("/result").get_data(as_text=True)
    assert "Clear steps, well done." in result


def test_a_failed_grade_can_be_sent_again(driver, app, gradebook, roster):
    finish(Student(driver, app, sub="alice"))
    with app.app_context():
        row = db.session().scalars(select(ScoreDelivery)).one()
        row.status = DeliveryStatus.FAILED
        row.last_error = "the LMS answered HTTP 503"
        db.session().commit()
        row_id = row.id
    teacher = Teacher(driver)
    page = teacher.get("/teach/results").get_data(as_text=True)
    assert "Failed" in page and "Send again" in page
    resp = teacher.post(f"/teach/resend/{row_id}", {}, follow_redirects=True)
    assert "queued and will be sent" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session().get(ScoreDelivery, row_id).status == DeliveryStatus.QUEUED


def test_the_course_page_lists_every_activity_of_the_course(driver, app, roster):
    finish(Student(driver, app, sub="alice"))
    Student(driver, app, sub="bob", claims={**MANIPULATION, LTI + "resource_link": {"id": "link-8"}}).get("/lesson/1")
    teacher = Teacher(driver, claims={LTI + "custom": {}})  # e.g. Canvas's course navigation
    page = teacher.get("/", follow_redirects=True).get_data(as_text=True)
    assert "MIL CLICKS in this course" in page
    assert "Lateral reading and click restraint" in page and "Manipulation techniques" in page
