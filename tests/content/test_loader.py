"""Loading module folders: a valid module parses, and every broken one says where and how to fix it."""

from pathlib import Path

import pytest
import yaml

from lti_app.content import ModuleError, load_catalogue, load_module, translatable_strings
from lti_app.content import loader
from lti_app.content.schema import ChoiceQuestion, Post, Tip

WHY = "Because of the evidence; a fact-checker would open a new tab and check who is behind it."


def question(qid: str) -> dict:
    return {
        "id": qid,
        "type": "single_choice",
        "prompt": "What would you do first?",
        "options": [
            {"id": "a", "text": "Share it", "feedback": WHY},
            {"id": "b", "text": "Check who posted it", "feedback": WHY, "correct": True},
        ],
    }


def module_data(module_id: str) -> dict:
    return {
        "schema_version": 1,
        "id": module_id,
        "title": "Demo module",
        "summary": "A module for tests.",
        "elements": ["C", "K"],
        "campaign": "#UnLockYourInformation",
        "minutes": 15,
        "age_band": "13-18",
        "objectives": ["Check a source."],
        "tip": "Open a new tab.",
        "pages": ["hook.md"],
    }


HOOK = """---
title: Hook
---
Look at this post.

```component post
display_name: Pure Water Truth
handle: purewatertruth
time: 3 h
text: The water is bad!
```
"""


def write(folder: Path, name: str, data) -> None:
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    (folder / name).write_text(text, encoding="utf-8")


def make_module(root: Path, module_id: str = "demo", **changes) -> Path:
    """Write a valid module, then apply ``changes``: file name -> new content (None deletes)."""
    folder = root / "modules" / module_id
    folder.mkdir(parents=True)
    files = {
        "module.yaml": module_data(module_id),
        "quiz.yaml": {"questions": [question("q1"), question("q2")]},
        "hook.md": HOOK,
    }
    files.update({name.replace("_", "."): content for name, content in changes.items()})
    for name, content in files.items():
        if content is not None:
            write(folder, name, content)
    return folder


def problems(folder: Path) -> list[str]:
    with pytest.raises(ModuleError) as caught:
        load_module(folder)
    return [str(error) for error in caught.value.errors]


def test_a_valid_module_becomes_typed_objects(tmp_path):
    module = load_module(make_module(tmp_path))
    assert module.id == "demo" and module.elements == ("C", "K") and module.booster is None
    assert module.page("hook").title == "Hook"
    assert isinstance(module.page("hook").blocks[1], Post)
    assert isinstance(module.question("q2"), ChoiceQuestion)
    assert module.quiz.max_points == 2


def test_every_translatable_string_has_a_stable_path(tmp_path):
    strings = translatable_strings(load_module(make_module(tmp_path)))
    assert strings["quiz.q2.options.b.feedback"] == WHY
    assert strings["quiz.q1.prompt"] == "What would you do first?"
    assert strings["pages.hook.title"] == "Hook"
    assert strings["objectives.0"] == "Check a source."
    assert "id" not in strings and "campaign" not in strings


def test_missing_feedback_names_file_field_line_and_fix(tmp_path):
    quiz = {"questions": [question("q1"), question("q2")]}
    del quiz["questions"][1]["options"][0]["feedback"]
    [problem] = problems(make_module(tmp_path, quiz_yaml=quiz))
    assert problem.startswith("modules/demo/quiz.yaml:")
    assert "questions[1].options[0]: missing 'feedback'." in problem
    assert "Every option needs feedback that explains why and what a fact-checker would do." in problem


def test_feedback_that_explains_nothing_is_rejected(tmp_path):
    quiz = {"questions": [question("q1")]}
    quiz["questions"][0]["options"][1]["feedback"] = "Correct!"
    [problem] = problems(make_module(tmp_path, quiz_yaml=quiz))
    assert "questions[0].options[1].feedback" in problem and "too short" in problem


def test_image_without_alt_text_is_rejected(tmp_path):
    page = HOOK.replace("text: The water is bad!", "text: The water is bad!\nimage:\n  src: images/glass.svg")
    folder = make_module(tmp_path, hook_md=page)
    (folder / "images").mkdir()
    (folder / "images" / "glass.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    [problem] = problems(folder)
    assert problem.startswith("modules/demo/hook.md:11: post.image: missing 'alt'.")
    assert "alt text" in problem


def test_image_file_must_exist_inside_the_module(tmp_path):
    page = HOOK.replace(
        "```component post",
        "```component figure\nsrc: ../../secret.svg\nalt: A chart of rainfall by month\n```\n\n```component post",
    )
    [problem] = problems(make_module(tmp_path, hook_md=page))
    assert "hook.md" in problem and "figure.src" in problem and "outside the module folder" in problem


def test_unknown_key_suggests_the_right_one(tmp_path):
    quiz = {"questions": [question("q1")]}
    quiz["questions"][0]["options"][0]["feedbak"] = quiz["questions"][0]["options"][0].pop("feedback")
    found = problems(make_module(tmp_path, quiz_yaml=quiz))
    assert any("questions[0].options[0].feedbak: unknown key 'feedbak'. Did you mean 'feedback'?" in p for p in found)


def test_duplicate_ids_are_rejected_within_a_question_and_across_files(tmp_path):
    quiz = {"questions": [question("q1")]}
    quiz["questions"][0]["options"][1]["id"] = "a"
    booster = {"questions": [question("q1"), question("b2"), question("b3")]}
    found = problems(make_module(tmp_path, quiz_yaml=quiz, booster_yaml=booster))
    assert any("quiz.yaml" in p and "questions[0].options[1]: duplicate id 'a'" in p for p in found)
    assert any("booster.yaml" in p and "question id 'q1' is already used in quiz.yaml" in p for p in found)


def test_bad_yaml_reports_its_line(tmp_path):
    broken = "questions:\n  - id: q1\n    type: single_choice\n    prompt: [unclosed\n"
    [problem] = problems(make_module(tmp_path, quiz_yaml=broken))
    assert problem.startswith("modules/demo/quiz.yaml:") and "invalid YAML" in problem
    assert int(problem.split(":")[1]) in (4, 5)


def test_a_key_given_twice_is_a_yaml_error_with_its_line(tmp_path):
    data = yaml.safe_dump(module_data("demo"), sort_keys=False) + "title: Again\n"
    [problem] = problems(make_module(tmp_path, module_yaml=data))
    assert "module.yaml:16:" in problem and "'title' twice" in problem and "Keep one of the two" in problem


def test_bad_front_matter_reports_the_line_in_the_page(tmp_path):
    page = "---\ntitle: Hook\npractice: [\n---\nBody\n"
    [problem] = problems(make_module(tmp_path, hook_md=page))
    assert problem.startswith("modules/demo/hook.md:") and "invalid YAML" in problem


def test_unknown_question_type_and_element_and_campaign(tmp_path):
    module = module_data("demo") | {"elements": ["C", "CI", "X"], "campaign": "#Other"}
    quiz = {"questions": [question("q1") | {"type": "essay"}]}
    found = problems(make_module(tmp_path, module_yaml=module, quiz_yaml=quiz))
    assert any("questions[0].type: unknown question type 'essay'. Use one of: single_choice" in p for p in found)
    assert any("unknown element code 'CI'. Did you mean 'Ci'?" in p for p in found)
    assert any("unknown element code 'X'" in p for p in found)
    assert any("campaign: 'campaign' '#Other' is not allowed." in p for p in found)


def test_wrong_types_say_what_was_found(tmp_path):
    module = module_data("demo") | {"minutes": "twenty", "title": 2024}
    found = problems(make_module(tmp_path, module_yaml=module))
    assert any("minutes: 'minutes' must be a whole number; found text ('twenty')." in p for p in found)
    assert any("title: 'title' must be text; found a number (2024)." in p and "quotes" in p for p in found)


def test_all_problems_of_a_module_are_collected(tmp_path):
    module = module_data("other-name") | {"age_band": "18-13"}
    quiz = {"questions": [question("q1") | {"points": -1}]}
    del quiz["questions"][0]["options"][0]["feedback"]
    page = HOOK + "\n```component chart\nx: 1\n```\n"
    found = problems(make_module(tmp_path, module_yaml=module, quiz_yaml=quiz, hook_md=page))
    assert len(found) == 5
    files = {p.split(":")[0] for p in found}
    assert files == {"modules/demo/module.yaml", "modules/demo/quiz.yaml", "modules/demo/hook.md"}


def test_unsupported_and_migrated_schema_versions(tmp_path, monkeypatch):
    newer = make_module(tmp_path, "newer", module_yaml=module_data("newer") | {"schema_version": 2})
    assert "schema_version 2 is newer than this tool reads" in problems(newer)[0]
    older = make_module(tmp_path, "older", module_yaml=module_data("older") | {"schema_version": 0, "name": "Old title"})
    assert "schema_version 0 is not supported" in problems(older)[0]

    def rename_name_to_title(raw):
        raw["module"]["title"] = raw["module"].pop("name")
        return raw

    monkeypatch.setitem(loader.MIGRATIONS, 0, rename_name_to_title)
    module = load_module(older)
    assert (module.title, module.schema_version) == ("Old title", 0)


def test_pages_need_a_title_and_known_components(tmp_path):
    page = "Just text.\n\n```component chart\nx: 1\n```\n\n![a photo](x.png)\n"
    found = problems(make_module(tmp_path, hook_md=page))
    assert any(p.startswith("modules/demo/hook.md:") and "no title" in p for p in found)
    assert any("hook.md:3: unknown component 'chart'" in p for p in found)
    assert any("hook.md:7: Markdown images" in p for p in found)


def test_title_can_come_from_the_first_heading_and_a_second_one_is_refused(tmp_path):
    page = "# From the heading\n\nText.\n\n```component tip\n```\n"
    module = load_module(make_module(tmp_path, hook_md=page))
    assert module.page("hook").title == "From the heading"
    assert isinstance(module.page("hook").blocks[-1], Tip)
    found = problems(make_module(tmp_path, "two", module_yaml=module_data("two"), hook_md=page + "\n# Another\n"))
    assert any("hook.md:8: a second page title" in p for p in found)


def test_booster_has_exactly_three_questions(tmp_path):
    found = problems(make_module(tmp_path, booster_yaml={"questions": [question("b1")]}))
    assert any("booster.yaml" in p and "'questions' has 1 entries. It needs exactly 3." in p for p in found)


def test_catalogue_keeps_good_modules_when_one_is_broken(tmp_path):
    make_module(tmp_path, "zeta", module_yaml=module_data("zeta") | {"order": 1})
    make_module(tmp_path, "alpha")
    make_module(tmp_path, "beta", module_yaml=module_data("beta") | {"order": 7})
    make_module(tmp_path, "broken", quiz_yaml=None)
    catalogue = load_catalogue(tmp_path / "modules")
    assert [m.id for m in catalogue.modules] == ["zeta", "beta", "alpha"]
    assert [str(e) for e in catalogue.errors] == [
        "modules/broken/quiz.yaml: the module has no quiz.yaml. Create it; docs/module-format.md shows a full example."
    ]
    assert catalogue.get("beta").order == 7 and catalogue.get("broken") is None


def test_catalogue_of_a_missing_folder_is_empty_with_an_error(tmp_path):
    catalogue = load_catalogue(tmp_path / "nowhere")
    assert catalogue.modules == () and "does not exist" in str(catalogue.errors[0])
