"""A teacher's pages in Chromium: results with charts, marking, guides, the Pact; axe-checked."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_student_journey import answer_everything, check_page, standalone
from tests.platform import INSTRUCTOR, LTI

pytestmark = pytest.mark.browser

LINK = {LTI + "resource_link": {"id": "link-teacher-view", "title": "Manipulation techniques"},
        LTI + "custom": {"module_id": "manipulation-techniques"}}


def open_tool(page, platform, live, **scenario):
    hint = platform.prepare(**scenario)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{platform.url}/course/{hint}")
    page.frame_locator("#tool").locator("h1").first.wait_for(timeout=15000)
    return next(f for f in page.frames if f.url.startswith(live.url))


def test_class_results_marking_and_guides(page, live, platform, gradebook_for_live):
    platform.members["course-42"] = [
        {"user_id": "student-tv", "name": "Amara Student", "roles": [], "status": "Active"},
        {"user_id": "student-absent", "name": "Kenji Student", "roles": [], "status": "Active"},
    ]
    try:
        frame = open_tool(page, platform, live, sub="student-tv", claims=LINK)
        base = frame.url.rsplit("/lesson/", 1)[0]
        frame.goto(base + "/quiz")
        answer_everything(frame)
        frame.get_by_role("button", name="Submit the quiz").click()
        frame.locator("h1", has_text="Your result").wait_for()

        frame = open_tool(page, platform, live, sub="teacher-tv", roles=INSTRUCTOR, claims=LINK)
        frame.locator("h1", has_text="Manipulation techniques").wait_for()
        check_page(page, frame, "teacher overview (embedded)")
        teach = frame.url.rstrip("/")
        frame.get_by_role("link", name="Class results").first.click()
        frame.locator("h1", has_text="Class results").wait_for()
        text = frame.locator("main").inner_text()
        assert "Amara Student" in text and "Kenji Student" in text and "Not started" in text
        assert frame.locator("svg[role=img] title").count() >= 2
        check_page(page, frame, "class results (embedded)")
        standalone(page, live, teach + "/results", "teacher-results")

        page.goto(teach + "/results")
        page.get_by_role("link", name="To mark").first.click()
        page.locator("h1", has_text="Mark written answers").wait_for()
        assert "Amara Student, attempt 1" in page.locator("main").inner_text()
        standalone(page, live, page.url, "teacher-marking")
        page.locator("input[name^=points-]").first.fill("1")
        page.get_by_role("button", name="Save and send to the gradebook").click()
        page.locator("h1", has_text="Class results").wait_for()

        launch_base = teach.rsplit("/teach", 1)[0]
        standalone(page, live, launch_base + "/guides/", "teacher-guides")
        standalone(page, live, launch_base + "/guides/manipulation-techniques", "teacher-guide")
        page.goto(launch_base + "/guides/manipulation-techniques")
        page.emulate_media(media="print")
        assert page.locator(".site-header").is_hidden() and page.locator(".toc").is_hidden()
        screenshot(page, "teacher-guide-print")
        page.emulate_media(media="screen")
        standalone(page, live, launch_base + "/teach/course", "teacher-course")
    finally:
        platform.members.clear()


def test_the_pact_is_accessible_and_can_be_signed(page, live, platform, gradebook_for_live):
    pact = {LTI + "resource_link": {"id": "link-pact"}, LTI + "custom": {"activity": "pact"}}
    frame = open_tool(page, platform, live, sub="student-pact", claims=pact)
    frame.locator("h1", has_text="The MIL CLICKER Pact").wait_for()
    check_page(page, frame, "pact (embedded)")
    base = frame.url.rstrip("/")
    standalone(page, live, base + "/", "pact")
    page.goto(base + "/")
    page.get_by_label("I have read the commitments and I want to keep them.").check()
    page.get_by_role("button", name="Sign the Pact").click()
    page.locator("h2", has_text="You signed the Pact").wait_for()
    standalone(page, live, base + "/card", "pact-card")
