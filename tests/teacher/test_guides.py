"""Teacher guides: parsed, checked, rendered and searched."""

from pathlib import Path

import pytest

from lti_app.content.check import check_modules
from lti_app.teacher.guides import load_guides

ROOT = Path(__file__).resolve().parents[2]

GUIDE = """---
title: Lateral reading and click restraint
module: lateral-reading
summary: Students learn to leave a page to check who is behind it.
---
## Objectives {#objectives}

| Objective | Element | UNESCO theme |
|---|---|---|
| Read laterally | C, K | Evaluating information |

## Classroom plan (45 minutes) {#plan}

| Minutes | Step | What happens |
|---|---|---|
| 5 | Hook | Show the post. |
| 10 min | Modelled demonstration | Think aloud. |
| 15 | Pair task | Pairs check three sites. |
| 10 | Discussion | Talk it over. |
| 5 | Exit quiz | The quiz in the LMS. |

## Materials {#materials}

A projector.

## Discussion questions {#discussion}

- Who is behind a page?

## Differentiation {#differentiation}

Pairs of mixed readers.

## Extension {#extension}

Check a site at home with a parent.

## Rubric {#rubric}

| Criterion | Beginning | Developing | Secure |
|---|---|---|---|
| Leaves the page | Stays | Sometimes | Always |
| Checks results | Clicks first | Reads some | Reads all |

## Sources {#sources}

- Wineburg, S. & McGrew, S. (2019). Lateral reading. *Teachers College Record*.
"""


def write(folder: Path, name: str, text: str, locale: str = "en") -> Path:
    path = folder / locale / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_module_guide_loads_with_its_sections(tmp_path):
    write(tmp_path, "lateral-reading.md", GUIDE)
    library = load_guides(tmp_path, {"lateral-reading"})
    assert library.errors == ()
    (guide,) = library.guides
    assert (guide.slug, guide.kind, guide.module_id, guide.locale) == ("lateral-reading", "module", "lateral-reading", "en")
    assert [s.id for s in guide.sections] == [
        "objectives", "plan", "materials", "discussion", "differentiation", "extension", "rubric", "sources",
    ]
    assert '<h2 id="rubric">Rubric</h2>' in guide.html
    assert "<table>" in guide.html


@pytest.mark.parametrize(
    "change, problem",
    [
        (("## Extension {#extension}", "## Extension"), "the guide has no section 'extension'"),
        (("| 15 | Pair task", "| 20 | Pair task"), "the classroom plan adds up to 50 minutes"),
        (("| Criterion | Beginning | Developing | Secure |", "| Criterion | Low | High |"), "the rubric is not a table"),
        (("- Wineburg", "Wineburg"), "the sources section lists no sources"),
        (("module: lateral-reading", "module: lateral-readin"), "the guide is for module 'lateral-readin'"),
        (("title: Lateral", "titel: Lateral"), "missing 'title'"),
        (("## Objectives {#objectives}", "# Objectives {#objectives}"), "a '# ' title inside the guide"),
    ],
)
def test_a_broken_guide_is_reported_with_its_file_and_left_out(tmp_path, change, problem):
    write(tmp_path, "lateral-reading.md", GUIDE.replace(*change))
    library = load_guides(tmp_path, {"lateral-reading"})
    assert library.guides == ()
    assert any(problem in str(error) and "en/lateral-reading.md" in str(error) for error in library.errors), library.errors


def test_sections_out_of_order_are_reported(tmp_path):
    swapped = GUIDE.replace("## Materials {#materials}", "## X {#x}").replace("## Rubric {#rubric}", "## Materials {#materials}")
    swapped = swapped.replace("## X {#x}", "## Rubric {#rubric}")
    write(tmp_path, "lateral-reading.md", swapped)
    assert "out of order" in str(load_guides(tmp_path).errors)


def test_a_guide_for_a_module_that_does_not_exist_is_reported(tmp_path):
    write(tmp_path, "lateral-reading.md", GUIDE)
    assert "there is no module 'lateral-reading'" in str(load_guides(tmp_path, {"other"}).errors)


def test_a_programme_guide_needs_no_module_sections(tmp_path):
    write(tmp_path, "using-moodle.md", "---\ntitle: Using Moodle\nsummary: How.\norder: 2\n---\n## Adding {#adding}\n\nSteps.\n")
    (guide,) = load_guides(tmp_path).guides
    assert (guide.kind, guide.order, guide.module_id) == ("programme", 2, None)


def test_a_translation_replaces_the_english_guide_and_the_rest_falls_back(tmp_path):
    write(tmp_path, "lateral-reading.md", GUIDE)
    write(tmp_path, "using-moodle.md", "---\ntitle: Using Moodle\nsummary: How.\n---\nSteps.\n")
    write(tmp_path, "using-moodle.md", "---\ntitle: Utiliser Moodle\nsummary: Comment.\n---\nÉtapes.\n", locale="fr")
    library = load_guides(tmp_path)
    assert [(g.slug, g.locale) for g in library.for_locale("fr")] == [("using-moodle", "fr"), ("lateral-reading", "en")]
    assert library.locales("using-moodle") == ["en", "fr"]
    assert library.get("using-moodle", "pt").title == "Using Moodle"


def test_search_finds_guides_by_every_word_title_first(tmp_path):
    write(tmp_path, "lateral-reading.md", GUIDE)
    write(tmp_path, "using-moodle.md", "---\ntitle: Using Moodle\nsummary: Adding activities.\n---\nRead laterally in Moodle.\n")
    library = load_guides(tmp_path)
    assert [g.slug for g in library.search("moodle", "en")] == ["using-moodle"]
    assert [g.slug for g in library.search("Read laterally", "en")] == ["lateral-reading", "using-moodle"]
    assert library.search("rubric projector", "en")[0].slug == "lateral-reading"
    assert library.search("nothing-like-this", "en") == []
    assert library.search("  ", "en") == []


def test_guide_html_is_sanitised(tmp_path):
    write(tmp_path, "using-moodle.md", "---\ntitle: T\nsummary: S.\n---\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n")
    (guide,) = load_guides(tmp_path).guides
    assert "<script>" not in guide.html and "javascript:" not in guide.html


def test_the_checker_reports_guide_problems(tmp_path):
    write(tmp_path, "lateral-reading.md", GUIDE.replace("## Extension {#extension}", ""))
    ok, lines = check_modules(ROOT / "modules", tmp_path)
    assert not ok
    assert any("en/lateral-reading.md" in line and "no section 'extension'" in line for line in lines)


def test_the_real_guides_pass_the_check():
    library = load_guides(ROOT / "teacher_guides", {p.name for p in (ROOT / "modules").iterdir() if p.is_dir()})
    assert [str(e) for e in library.errors] == []
