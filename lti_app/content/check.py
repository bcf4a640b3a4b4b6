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


def check_modules(modules_dir: Path | str) -> tuple[bool, list[str]]:
    """Load every module under ``modules_dir``; return whether all loaded, and a report."""
    catalogue = load_catalogue(modules_dir)
    lines = []
    for module in catalogue.modules:
        boosters = len(module.booster.questions) if module.booster else 0
        lines.append(
            f"ok     {module.id}: {len(module.pages)} pages, "
            f"{sum(len(p.practice) for p in module.pages)} practice, "
            f"{len(module.quiz.questions)} quiz and {boosters} booster questions"
        )
    lines += [f"error  {error}" for error in catalogue.errors]
    lines.append(f"{len(catalogue.modules)} module(s) loaded, {len(catalogue.errors)} problem(s) found.")
    return not catalogue.errors, lines


def _default_dir() -> str:
    option = next(o for o in OPTIONS if o.name == "MODULES_DIR")
    return os.environ.get(option.env) or option.default


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lti_app.content.check", description=__doc__.splitlines()[0])
    parser.add_argument("modules_dir", nargs="?", default=_default_dir(), help="folder of modules (default: %(default)s)")
    args = parser.parse_args(argv)
    ok, lines = check_modules(args.modules_dir)
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
