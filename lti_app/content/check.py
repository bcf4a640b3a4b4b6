"""Check every module folder and report what loads and what needs fixing.

Run as ``python -m lti_app.content.check [DIR]``; exits 1 when any module has a problem.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from lti_app.config import OPTIONS

from .loader import load_catalogue
from .schema import Module, Post, Tip
from .readability import MAX_GRADE, module_readability
from .translate import TRANSLATED_LOCALES, module_po, pact_po, translate


def check_modules(modules_dir: Path | str, guides_dir: Path | str | None = None) -> tuple[bool, list[str]]:
    """Load every module under ``modules_dir``, and the guides; return whether all is well, and a report.

    Translations are checked too: a broken one is a problem, a missing string is only counted.
    """
    from lti_app.teacher.guides import load_guides

    catalogue = load_catalogue(modules_dir)
    lines = []
    problems = [str(error) for error in catalogue.errors]
    for module in catalogue.modules:
        boosters = len(module.booster.questions) if module.booster else 0
        grade = module_readability(module).grade
        lines.append(
            f"ok     {module.id}: {len(module.pages)} pages, "
            f"{sum(len(p.practice) for p in module.pages)} practice, "
            f"{len(module.quiz.questions)} quiz and {boosters} booster questions, reading grade {grade}"
        )
        problems += [f"{module.id}: {problem}" for problem in curriculum_problems(module)]
        if grade > MAX_GRADE:
            problems.append(
                f"{module.id}: the student text reads at grade {grade}. "
                f"Use shorter sentences and everyday words to bring it to {MAX_GRADE} or below."
            )
        lines.append(_translation_line("       languages", module, module_po(module.folder, "{locale}"), problems))
    from lti_app.pact.content import PACT_FILE, load_pact

    if (Path(modules_dir) / PACT_FILE).exists():  # without it, the Pact activity is simply not offered
        pact, pact_errors = load_pact(modules_dir, {module.id for module in catalogue.modules})
        problems += [str(error) for error in pact_errors]
        if pact:
            lines.append(f"ok     the Pact: {len(pact.commitments)} commitments")
            lines.append(_translation_line("       languages", pact, pact_po(Path(modules_dir), "{locale}"), problems))
    if guides_dir is not None:
        guides = load_guides(guides_dir, {module.id for module in catalogue.modules})
        problems += [str(error) for error in guides.errors]
        lines.append(f"{len(guides.guides)} teacher guide(s) loaded.")
    lines += [f"error  {problem}" for problem in problems]
    lines.append(f"{len(catalogue.modules)} module(s) loaded, {len(problems)} problem(s) found.")
    return not problems, lines


def _translation_line(label: str, item, po_pattern: Path, problems: list[str]) -> str:
    """Translate ``item`` into every language; report each one's share and record broken strings."""
    shares = []
    for locale in TRANSLATED_LOCALES:
        _translated, coverage, errors = translate(item, Path(str(po_pattern).format(locale=locale)), locale)
        problems += [str(error) for error in errors]
        note = "".join(
            f", {count} {what}" for count, what in ((coverage.fuzzy, "fuzzy"), (coverage.stale, "out of date")) if count
        )
        shares.append(f"{locale} {coverage.percent}%{note}")
    return f"{label}: en 100%, " + ", ".join(shares)


#: What every module of the programme has, beyond what the format allows.
MIN_QUIZ_QUESTIONS = 6
MIN_QUIZ_TYPES = 3
PRACTICE_RANGE = (3, 5)


def curriculum_problems(module: Module) -> list[str]:
    """Return how a well-formed module falls short of the programme's lesson shape."""
    problems = []
    quiz = module.quiz.questions
    if len(quiz) < MIN_QUIZ_QUESTIONS:
        problems.append(f"the quiz has {len(quiz)} questions. Give it at least {MIN_QUIZ_QUESTIONS}.")
    if len({q.type for q in quiz}) < MIN_QUIZ_TYPES:
        problems.append(f"the quiz uses fewer than {MIN_QUIZ_TYPES} question types. Mix at least {MIN_QUIZ_TYPES}.")
    practice = sum(len(page.practice) for page in module.pages)
    if not PRACTICE_RANGE[0] <= practice <= PRACTICE_RANGE[1]:
        problems.append(
            f"the lesson has {practice} practice questions. Give it {PRACTICE_RANGE[0]} to {PRACTICE_RANGE[1]}."
        )
    if module.booster is None:
        problems.append("there is no booster.yaml. Add three questions for the spaced review.")
    blocks = [block for page in module.pages for block in page.blocks]
    hook = module.pages[0].blocks if module.pages else ()
    if not any(isinstance(block, Post) for block in hook):
        problems.append("the first page has no mock post. Open the module with a realistic post as its hook.")
    if not any(isinstance(block, Tip) for block in blocks):
        problems.append("no page shows the CLICKER tip. Place the tip component on the last page.")
    return problems


def _default_dir(name: str = "MODULES_DIR") -> str:
    option = next(o for o in OPTIONS if o.name == name)
    return os.environ.get(option.env) or option.default


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lti_app.content.check", description=__doc__.splitlines()[0])
    parser.add_argument("modules_dir", nargs="?", default=_default_dir(), help="folder of modules (default: %(default)s)")
    parser.add_argument("--guides", default=_default_dir("GUIDES_DIR"), help="folder of teacher guides (default: %(default)s)")
    args = parser.parse_args(argv)
    ok, lines = check_modules(args.modules_dir, args.guides)
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
