"""The reading-level check that keeps student text plain."""

import shutil
from pathlib import Path

import pytest

from lti_app.content import check, load_catalogue
from lti_app.content.check import check_modules
from lti_app.content.readability import MAX_GRADE, measure, module_readability, student_texts, syllables

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = load_catalogue(ROOT / "modules")


@pytest.mark.parametrize(
    "word, count",
    [("cat", 1), ("people", 2), ("idea", 2), ("every", 3), ("information", 4), ("misinformation", 5), ("shared", 1)],
)
def test_syllables(word, count):
    assert syllables(word) == count


def test_grade_follows_the_flesch_kincaid_formula():
    easy = measure(["The cat sat on the mat."])
    assert (easy.words, easy.sentences, easy.syllables) == (6, 1, 6)
    assert easy.grade == round(0.39 * 6 + 11.8 - 15.59, 1)
    hard = measure(["Algorithmic recommendation infrastructures systematically amplify sensationalised misinformation."])
    assert hard.grade > 20


def test_student_text_leaves_out_names_times_and_markup():
    module = CATALOGUE.get("lateral-reading")
    texts = student_texts(module)
    assert all("**" not in text and "<" not in text for text in texts)
    assert module.tip in texts
    assert not any(text == "3 h" for text in texts)


@pytest.mark.parametrize("module", CATALOGUE.modules, ids=lambda m: m.id)
def test_every_module_reads_at_about_grade_eight(module):
    assert module_readability(module).grade <= MAX_GRADE


def test_a_module_above_the_limit_fails_the_check(monkeypatch):
    monkeypatch.setattr(check, "MAX_GRADE", 1.0)
    ok, lines = check_modules(ROOT / "modules")
    assert not ok
    assert any("lateral-reading: the student text reads at grade" in line for line in lines)


def test_a_module_short_of_the_lesson_shape_fails_the_check(tmp_path):
    folder = tmp_path / "modules" / "lateral-reading"
    shutil.copytree(ROOT / "modules" / "lateral-reading", folder)
    (folder / "booster.yaml").unlink()
    quiz = (folder / "quiz.yaml").read_text()
    # Keep the first two questions only.
    (folder / "quiz.yaml").write_text(quiz[: quiz.index("\n  - id:", quiz.index("\n  - id:", quiz.index("- id:") + 1) + 1)])
    ok, lines = check_modules(tmp_path / "modules")
    report = "\n".join(lines)
    assert not ok
    assert "lateral-reading: the quiz has 2 questions. Give it at least 6." in report
    assert "lateral-reading: there is no booster.yaml." in report
