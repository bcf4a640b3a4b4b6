"""Teacher guides inside the tool: the library, search, a guide page, print layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.teacher.test_guides import GUIDE, write
from tests.teacher.test_teacher_view import Teacher

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def guides(app, tmp_path):
    folder = tmp_path / "guides"
    write(folder, "lateral-reading.md", GUIDE)
    write(folder, "using-moodle.md", "---\ntitle: Using MIL CLICKS in Moodle\nsummary: Add activities.\norder: 2\n---\n"
                                     "## Adding an activity {#adding}\n\nTurn editing on in Moodle.\n")
    app.config["GUIDES_DIR"] = str(folder)
    return folder


def test_the_library_lists_programme_and_module_guides(driver, guides):
    teacher = Teacher(driver)
    page = teacher.get("/guides/").get_data(as_text=True)
    assert "Running the programme" in page and "Using MIL CLICKS in Moodle" in page
    assert "Module guides" in page and "Lateral reading and click restraint" in page


def test_search_finds_guides_by_their_words(driver, guides):
    teacher = Teacher(driver)
    page = teacher.get("/guides/", query_string={"q": "editing moodle"}).get_data(as_text=True)
    assert "1 guide matches" in page and "Using MIL CLICKS in Moodle" in page and "Module guides" not in page
    empty = teacher.get("/guides/", query_string={"q": "zebra"}).get_data(as_text=True)
    assert "No guide matches" in empty


def test_a_guide_page_has_contents_a_print_button_and_a_print_stylesheet(driver, guides):
    teacher = Teacher(driver)
    page = teacher.get("/guides/lateral-reading").get_data(as_text=True)
    assert '<h2 id="rubric">Rubric</h2>' in page
    assert '<a href="#plan">Classroom plan (45 minutes)</a>' in page
    assert "data-print" in page and 'href="/static/print.css" media="print"' in page
    assert teacher.get("/guides/no-such-guide").status_code == 404


def test_the_teacher_view_links_to_the_module_guide(driver, guides):
    page = Teacher(driver).get("/teach/").get_data(as_text=True)
    assert "/guides/lateral-reading" in page and "Students learn to leave a page" in page


def test_every_real_guide_renders(driver, app):
    app.config["GUIDES_DIR"] = str(ROOT / "teacher_guides")
    teacher = Teacher(driver)
    index = teacher.get("/guides/").get_data(as_text=True)
    slugs = sorted(p.stem for p in (ROOT / "teacher_guides" / "en").glob("*.md"))
    assert slugs
    for slug in slugs:
        assert f"/guides/{slug}" in index
        page = teacher.get(f"/guides/{slug}")
        assert page.status_code == 200, slug
