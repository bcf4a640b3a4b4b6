"""The examples in the author documentation are valid modules, so authors can copy them."""

import re
from pathlib import Path

import yaml

from lti_app.content.components import COMPONENTS
from lti_app.content.fields import Where
from lti_app.quiz import QUESTION_TYPES, parse_question

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "module-format.md").read_text()
YAML_BLOCKS = re.findall(r"```yaml\n(.*?)```", DOC, re.S)


def where(errors):
    return Where(ROOT / "modules" / "lateral-reading", "doc.yaml", errors)


def test_every_question_example_parses_and_every_type_has_one():
    documented = set()
    for block in YAML_BLOCKS:
        if block.startswith("- id:"):
            errors: list = []
            [raw] = yaml.safe_load(block)
            question = parse_question(raw, where(errors))
            assert errors == [], block
            documented.add(question.type)
    assert documented == set(QUESTION_TYPES)


def test_every_component_is_documented_with_valid_yaml():
    for name in COMPONENTS:
        assert f"### {name}:" in DOC
    search, callout, figure = (next(b for b in YAML_BLOCKS if b.startswith(start)) for start in ("query:", "kind:", "src:"))
    for parse, block in ((COMPONENTS["search"], search), (COMPONENTS["callout"], callout), (COMPONENTS["figure"], figure)):
        errors: list = []
        parse(yaml.safe_load(block), where(errors))
        assert errors == []
