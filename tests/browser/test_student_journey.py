"""A student's whole journey in Chromium: launch, lesson, quiz, result, grade in the LMS.

Each page is checked with axe-core (no serious or critical violations) and photographed
at phone and desktop widths into test-artifacts/.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"phone": 320, "desktop": 1280}


def axe_violations(frame) -> list[dict]:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run 'npm ci' (./test does).")
    frame.evaluate(AXE.read_text())
    result = frame.evaluate(
        "async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations'],"
        " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}}))"
    )
    violations = json.loads(result)["violations"]
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def check_page(page, tool, name: str) -> None:
    bad = axe_violations(tool)
    assert not bad, f"{name}: " + "; ".join(f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}" for v in bad)


def standalone(page, live, url: str, name: str) -> None:
    """Check a tool page on its own at each width (as in a new window or the Moodle app)."""
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        check_page(page, page.main_frame, f"{name} ({label})")
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            // Data tables may scroll inside their own labelled region (WCAG 1.4.10 allows it).
            .filter(e => !e.closest('.table-scroll'))
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
        assert not wide, f"{name} scrolls sideways at {width}px: {wide}"
        screenshot(page, f"{name}-{label}")


def answer_everything(frame) -> int:
    """Answer every quiz question through the page, as a student clicks; return how many."""
    count = frame.locator("section.question-card form").count()
    for index in range(count):
        card = frame.locator("section.question-card").nth(index)
        form = card.locator("form")
        # Pick the first choice of every group the question has, or type a reflection.
        for textarea in form.locator("textarea").all():
            textarea.fill("First I would pause, then search for who made this and check a trusted source.")
        names = form.evaluate("f => [...new Set([...f.elements].filter(e => e.type === 'radio').map(e => e.name))]")
        for name in names:
            form.locator(f"input[type=radio][name='{name}']").first.check()
        for select in form.locator("select").all():
            options = select.locator("option").all()
            values = [o.get_attribute("value") for o in options if o.get_attribute("value")]
            select.select_option(values[0])
        # Orderings need distinct positions: give each select its own.
        selects = form.locator("select").all()
        if selects and form.locator("select option[value='1']").count():
            for position, select in enumerate(selects, start=1):
                select.select_option(str(position))
        if form.locator("input[type=checkbox]").count():
            form.locator("input[type=checkbox]").first.check()
        form.locator("button[type=submit]").click()
        frame.locator(f"section.question-card >> nth={index} >> .mc-feedback").wait_for()
    return count


def test_student_takes_lesson_and_quiz_and_the_grade_reaches_the_lms(page, live, platform, gradebook_for_live):
    hint = platform.prepare(sub="student-e2e")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{platform.url}/course/{hint}")
    tool = page.frame_locator("#tool")
    tool.locator(".module-title").wait_for(timeout=15000)
    frame = next(f for f in page.frames if f.url.startswith(live.url))
    check_page(page, frame, "lesson page 1 (embedded)")
    screenshot(page, "embedded-lesson")
    lesson_url = frame.url
    base = lesson_url.rsplit("/lesson/", 1)[0]

    # Walk the lesson with the Next button, then go to the quiz.
    total = int(frame.locator(".progress p").inner_text().split()[-1])
    for number in range(2, total + 1):
        frame.locator("a[rel=next]").click()
        frame.locator(".progress p", has_text=f"Page {number} of {total}").wait_for()
    frame.get_by_role("link", name="Go to the quiz").click()
    frame.locator("h1", has_text="Quiz").wait_for()
    answered = answer_everything(frame)
    assert answered >= 6
    frame.get_by_role("button", name="Submit the quiz").click()
    frame.locator("h1", has_text="Your result").wait_for()
    check_page(page, frame, "result (embedded)")

    # The background delivery of the embedded default sends the score within seconds.
    deadline = time.time() + 20
    while time.time() < deadline and not [s for s in platform.scores if s["userId"] == "student-e2e"]:
        time.sleep(0.25)
    sent = [s for s in platform.scores if s["userId"] == "student-e2e"]
    assert len(sent) == 1 and sent[0]["gradingProgress"] in ("FullyGraded", "PendingManual")

    standalone(page, live, base + "/lesson/1", "lesson")
    standalone(page, live, base + "/quiz", "quiz-submitted")
    standalone(page, live, base + "/result", "result")


def test_quiz_page_is_accessible_and_fits_a_phone(page, live, platform, gradebook_for_live):
    hint = platform.prepare(sub="student-quiz-view")
    page.goto(f"{platform.url}/course/{hint}")
    page.frame_locator("#tool").locator(".module-title").wait_for(timeout=15000)
    frame = next(f for f in page.frames if f.url.startswith(live.url))
    base = frame.url.rsplit("/lesson/", 1)[0]
    standalone(page, live, base + "/quiz", "quiz")


def test_teacher_content_selection_is_accessible(page, live, platform):
    from tests.platform import INSTRUCTOR

    hint = platform.prepare(message_type="LtiDeepLinkingRequest", roles=INSTRUCTOR)
    page.goto(f"{platform.url}/course/{hint}")
    page.frame_locator("#tool").locator("h1", has_text="Add MIL CLICKS activities").wait_for(timeout=15000)
    frame = next(f for f in page.frames if f.url.startswith(live.url))
    check_page(page, frame, "content selection (embedded)")
    standalone(page, live, frame.url, "content-selection")
