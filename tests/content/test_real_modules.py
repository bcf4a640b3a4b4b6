"""Every real module loads, renders to accessible HTML and meets the programme's shape."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from lti_app import content
from lti_app.content.schema import GradedResult, Post, SearchPage, SearchResult, Tip, translatable_strings
from lti_app.quiz import QUESTION_TYPES, answer_from_form, render_feedback, render_question, score

from .html_checks import Page

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = content.load_catalogue(ROOT / "modules")
SAMPLES = {"lateral-reading", "pause-before-you-share", "manipulation-techniques"}


def test_every_module_loads():
    assert [str(e) for e in CATALOGUE.errors] == []
    assert SAMPLES <= {m.id for m in CATALOGUE.modules}


def test_the_app_loads_its_catalogue_once_from_modules_dir(app):
    app.config["MODULES_DIR"] = str(ROOT / "modules")
    loaded = content.catalogue()
    assert [m.id for m in loaded.modules] == [m.id for m in CATALOGUE.modules]
    assert content.catalogue() is loaded


@pytest.mark.parametrize("module", CATALOGUE.modules, ids=lambda m: m.id)
def test_every_page_renders_to_accessible_html(app, module):
    for page in module.pages:
        html = content.render_page(module, page)
        page_html = Page(html)
        assert page_html.accessibility_problems() == [], page.id
        if any(isinstance(block, Tip) for block in page.blocks):
            assert module.tip in html
        for post in (b for b in page.blocks if isinstance(b, Post)):
            assert f"@{post.handle}" in html


@pytest.mark.parametrize("module", CATALOGUE.modules, ids=lambda m: m.id)
def test_every_question_renders_answers_and_shows_all_its_feedback(app, module):
    for question in module.questions():
        form_html = Page(render_question(question))
        assert form_html.accessibility_problems() == [], question.id
        assert form_html.tags("fieldset") or form_html.tags("textarea"), question.id

        answer = answer_from_form(question, form_html.filled_form())
        refilled = str(render_question(question, answer))
        assert " checked" in refilled or " selected" in refilled or "new tab" in refilled, question.id

        result = score(question, answer)
        feedback_html = render_feedback(question, result)
        assert Page(feedback_html).accessibility_problems() == [], question.id
        written = {text for path, text in translatable_strings(question).items() if "feedback" in path.rsplit(".", 1)[-1]}
        assert written and written == {item.text for item in result.feedback}, question.id
        assert str(feedback_html).count('<li class="mc-feedback__item') == len(result.feedback)


@pytest.mark.parametrize("module_id", sorted(SAMPLES))
def test_sample_modules_follow_the_lesson_shape(module_id):
    module = CATALOGUE.get(module_id)
    assert module.age_band == "13-18" and module.tip
    assert any(isinstance(block, Post) for block in module.pages[0].blocks), "the hook page shows a post"
    assert any(isinstance(b, Tip) for page in module.pages for b in page.blocks), "the tip is shown"
    assert 3 <= sum(len(page.practice) for page in module.pages) <= 5
    assert len(module.quiz.questions) >= 6
    assert len({q.type for q in module.quiz.questions}) >= 3
    assert len(module.booster.questions) == 3


@pytest.mark.parametrize("module_id", sorted(SAMPLES))
def test_sample_quizzes_reward_discernment_with_true_and_false_content(module_id):
    verdicts = set()
    for question in CATALOGUE.get(module_id).quiz.questions:
        verdicts |= {item.accurate for item in getattr(question, "headlines", ()) + getattr(question, "posts", ())}
        if question.type == "true_false_reason":
            verdicts.add(question.answer)
    assert verdicts == {True, False}


def test_samples_together_use_every_question_type():
    used = {q.type for m in CATALOGUE.modules if m.id in SAMPLES for q in m.questions()}
    assert used == set(QUESTION_TYPES)


def test_sample_web_addresses_are_invented():
    for module in CATALOGUE.modules:
        results = [r for page in module.pages for b in page.blocks if isinstance(b, SearchPage) for r in b.results]
        results += [r for q in module.questions() for r in getattr(q, "results", ())]
        for result in results:
            assert isinstance(result, (SearchResult, GradedResult))
            host = urlsplit(f"//{result.url}").hostname
            assert host.endswith(".example"), result.url
