"""Languages in Chromium: Arabic right to left, the language menu, and the admin area; axe-checked."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_student_journey import check_page, standalone
from tests.browser.test_teacher_pages import open_tool
from tests.platform import LTI

pytestmark = pytest.mark.browser


def lesson_claims(locale: str) -> dict:
    return {LTI + "launch_presentation": {"locale": locale, "document_target": "iframe"},
            LTI + "custom": {"module_id": "lateral-reading"},
            LTI + "resource_link": {"id": f"link-{locale}", "title": "Lateral reading"}}


def test_arabic_is_right_to_left_with_handles_and_urls_left_to_right(page, live, platform):
    frame = open_tool(page, platform, live, sub="student-ar", claims=lesson_claims("ar"))
    assert frame.locator("html").get_attribute("dir") == "rtl"
    assert frame.locator("html").get_attribute("lang") == "ar"
    # The layout is mirrored: the brand sits on the right, the language menu on the left.
    brand = frame.locator(".brand").bounding_box()
    menu = frame.locator(".language-form").bounding_box()
    assert brand["x"] > menu["x"]
    # Handles and URLs keep their left-to-right order inside the Arabic text.
    handle = frame.locator(".mc-post__handle").first
    assert handle.evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert handle.inner_text().startswith("@")
    assert frame.locator(".campaign").inner_text().startswith("#")  # not "UnLockYourInformation#"
    assert any("\u0600" <= c <= "\u06ff" for c in frame.locator("h1").first.inner_text())
    check_page(page, frame, "lesson in Arabic (embedded)")
    screenshot(page, "arabic-lesson-embedded")
    standalone(page, live, frame.url, "arabic-lesson")
    quiz = frame.url.rsplit("/lesson/", 1)[0] + "/quiz"
    standalone(page, live, quiz, "arabic-quiz")


def test_the_language_menu_switches_the_lesson(page, live, platform):
    frame = open_tool(page, platform, live, sub="student-menu", claims=lesson_claims("en-GB"))
    english = frame.locator("h1").first.inner_text()
    frame.get_by_label("Language").select_option("fr")
    frame.get_by_role("button", name="Change").click()
    frame.locator("html[lang=fr]").wait_for()
    assert frame.get_by_role("button", name="Modifier").count() == 1  # the interface too
    assert frame.locator("h1").first.inner_text() != english
    check_page(page, frame, "lesson in French after switching (embedded)")
    screenshot(page, "french-lesson-after-switch")


def test_the_admin_area_is_accessible(page, live):
    live.cli("admin", "set-password", "--password", "browser admin password")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live.url + "/admin/login")
    check_page(page, page.main_frame, "admin sign-in")
    page.get_by_label("Admin password").fill("browser admin password")
    page.get_by_role("button", name="Sign in").click()
    page.locator("h1", has_text="LMS registrations").wait_for()
    for path, name in (("/admin/", "admin-registrations"), ("/admin/registrations", "admin-links"),
                       ("/admin/keys", "admin-keys"), ("/admin/grades", "admin-grades"),
                       ("/admin/platforms/new", "admin-add-lms"), ("/", "install-page")):
        standalone(page, live, live.url + path, name)
    page.goto(live.url + "/admin/registrations")
    page.get_by_role("button", name="Make a link").click()
    assert "/lti/register/" in page.locator("#new-link").inner_text()
