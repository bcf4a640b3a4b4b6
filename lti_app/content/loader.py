"""Load module folders into typed Modules, collecting every problem of a module at once."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from lti_app.quiz.types import parse_question

from .components import parse_blocks
from .fields import HINTS, ContentError, Fields, Where, describe, read_yaml
from .schema import CAMPAIGNS, ELEMENTS, SCHEMA_VERSION, Booster, LessonPage, Module, Question, Quiz

#: schema_version -> function that upgrades a module's raw data from that version to the next.
#: The raw data is ``{"module": ..., "quiz": ..., "booster": ... or None, "pages": {file: page}}``,
#: each YAML file as parsed and each page as ``{"front_matter": ..., "body": str, "body_line": int,
#: "broken": bool}`` (broken: its front matter could not be read).
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}

AGE_BAND = re.compile(r"^(\d{1,2})-(\d{1,2})$")
#: A page file's name without ".md" is the page's permanent id.
PAGE_FILE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\.md$")
BOOSTER_SIZE = 3
MODULE_KEYS = (
    "schema_version", "id", "title", "summary", "elements", "campaign", "minutes", "age_band",
    "objectives", "tip", "pages",
)


class ModuleError(Exception):
    """A module that cannot be loaded, with every problem found in it."""

    def __init__(self, module_id: str, errors: list[ContentError]):
        super().__init__(f"module {module_id!r} has {len(errors)} problem(s)")
        self.errors = tuple(errors)


class Catalogue(NamedTuple):
    """The modules that loaded, in catalogue order, and the problems of those that did not."""

    modules: tuple[Module, ...]
    errors: tuple[ContentError, ...]

    def get(self, module_id: str) -> Module | None:
        return next((module for module in self.modules if module.id == module_id), None)


def load_catalogue(modules_dir: Path | str) -> Catalogue:
    """Load every module folder; a broken module is reported and left out, never fatal."""
    modules_dir = Path(modules_dir)
    if not modules_dir.is_dir():
        problem = ContentError(
            str(modules_dir), "", None, "the modules folder does not exist.",
            "Create it, or set MILCLICKS_MODULES_DIR to the folder that holds the modules.",
        )
        return Catalogue((), (problem,))
    modules: list[Module] = []
    errors: list[ContentError] = []
    # Folders starting with '.' or '_' are drafts and tooling, not modules.
    for folder in sorted(p for p in modules_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        try:
            modules.append(load_module(folder))
        except ModuleError as exc:
            errors.extend(exc.errors)
    modules.sort(key=lambda m: (m.order is None, m.order or 0, m.id))
    return Catalogue(tuple(modules), tuple(errors))


def load_module(folder: Path | str) -> Module:
    """Load one module folder, or raise ModuleError listing every problem in it."""
    folder = Path(folder)
    errors: list[ContentError] = []

    def where(file: str) -> Where:
        return Where(folder, file, errors)

    raw_module = _read_yaml_file(folder, "module.yaml", where("module.yaml"), required=True)
    version = _schema_version(raw_module, where("module.yaml")) if raw_module is not None else None
    if version is None:
        raise ModuleError(folder.name, errors)
    raw = {
        "module": raw_module,
        "quiz": _read_yaml_file(folder, "quiz.yaml", where("quiz.yaml"), required=True),
        "booster": _read_yaml_file(folder, "booster.yaml", where("booster.yaml"), required=False),
        "pages": _read_pages(folder, raw_module, where("module.yaml")),
    }
    for old in range(version, SCHEMA_VERSION):
        raw = MIGRATIONS[old](raw)
    module = _parse_module(folder, raw, version, errors)
    if errors:
        raise ModuleError(folder.name, errors)
    return module


def _read_text(path: Path, where: Where) -> str | None:
    try:
        # utf-8-sig drops the byte-order mark some editors put first.
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        where.error("the file is not UTF-8 text.", "Save it as UTF-8 in your editor.")
    except OSError as exc:
        where.error(f"the file cannot be read ({exc.strerror}).", "Check that it exists and is readable.")
    return None


def _read_yaml_file(folder: Path, name: str, where: Where, required: bool) -> Any:
    path = folder / name
    if not path.exists():
        if required:
            where.error(f"the module has no {name}.", "Create it; docs/module-format.md shows a full example.")
        return None
    text = _read_text(path, where)
    if text is None:
        return None
    if not text.strip():
        where.error("the file is empty.", "Fill it in as docs/module-format.md shows, or delete it if it is optional.")
        return None
    return read_yaml(text, where)


def _schema_version(raw: Any, where: Where) -> int | None:
    version = raw.get("schema_version") if isinstance(raw, dict) else None
    at = where.child("schema_version", getattr(raw, "key_lines", {}).get("schema_version"))
    if version is None:
        where.error("missing 'schema_version'.", HINTS["schema_version"])
        return None
    if not isinstance(version, int) or isinstance(version, bool):
        at.error(f"'schema_version' must be a whole number; found {describe(version)}.", HINTS["schema_version"])
        return None
    if version > SCHEMA_VERSION:
        at.error(
            f"schema_version {version} is newer than this tool reads (up to {SCHEMA_VERSION}).",
            "Update the tool, or write the module as docs/module-format.md describes.",
        )
        return None
    if any(old not in MIGRATIONS for old in range(version, SCHEMA_VERSION)):
        at.error(
            f"schema_version {version} is not supported.",
            f"Write the module in version {SCHEMA_VERSION}, as docs/module-format.md describes.",
        )
        return None
    return version


def _read_pages(folder: Path, raw_module: Any, where: Where) -> dict[str, dict[str, Any]]:
    """Read the page files module.yaml lists, in order; bad entries are reported here."""
    listed = raw_module.get("pages") if isinstance(raw_module, dict) else None
    if listed is None:
        return {}
    at = where.child("pages", getattr(raw_module, "key_lines", {}).get("pages"))
    if not isinstance(listed, list):
        at.error(f"'pages' must be a list of page files; found {describe(listed)}.", "Write one '- name.md' per line.")
        return {}
    pages: dict[str, dict[str, Any]] = {}
    lines = getattr(listed, "item_lines", [None] * len(listed))
    for index, name in enumerate(listed):
        entry = at.child(index, lines[index])
        if not isinstance(name, str) or not PAGE_FILE.match(name):
            entry.error(
                f"{name!r} is not a page file name.",
                "Use lowercase words joined by hyphens, ending in .md, e.g. worked-example.md.",
            )
        elif name in pages:
            entry.error(f"{name!r} is listed twice.", "List each page once.")
        elif not (folder / name).is_file():
            entry.error(f"there is no file {name!r} in the module folder.", "Create the page, or correct its name here.")
        else:
            page_where = Where(folder, name, where.errors)
            text = _read_text(folder / name, page_where)
            if text is not None:
                pages[name] = split_front_matter(text, page_where)
    return pages


def split_front_matter(text: str, where: Where) -> dict[str, Any]:
    """Split YAML front matter between --- lines from the Markdown body (pages and guides)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return {"front_matter": None, "body": text, "body_line": 1, "broken": False}
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            before = len(where.errors)
            front = read_yaml("".join(lines[1:index]), where, first_line=2)
            return {
                "front_matter": front,
                "body": "".join(lines[index + 1:]),
                "body_line": index + 2,
                "broken": len(where.errors) > before,
            }
    where.at_line(1).error("the front matter is not closed.", "End it with a line containing only ---.")
    return {"front_matter": None, "body": "", "body_line": 1, "broken": True}


def _parse_page(name: str, raw: dict[str, Any], where: Where) -> LessonPage:
    f = Fields(raw["front_matter"] or {}, where, optional=("title", "practice"))
    title = f.line("title")
    lines = raw["body"].split("\n")
    if not title:
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        if first is not None and lines[first].startswith("# "):
            title = lines[first][2:].strip()
            # Blank the heading rather than delete it, so later line numbers still match the file.
            lines[first] = ""
        elif not raw["broken"]:
            where.error("the page has no title.", "Add front matter with 'title:', or start the page with a '# Title' line.")
    in_fence = False
    for index, line in enumerate(lines):
        in_fence ^= line.startswith("```")
        if line.startswith("# ") and not in_fence:
            where.at_line(raw["body_line"] + index).error(
                "a second page title ('# ') inside the page.",
                "The title is shown as the page heading already; use '## ' for sections.",
            )
    body = "\n".join(lines)
    return LessonPage(
        id=name.removesuffix(".md"),
        title=title,
        body=body.strip("\n"),
        blocks=parse_blocks(body, where, raw["body_line"]),
        practice=f.items("practice", parse_question, minimum=1),
    )


def _parse_questions(raw: Any, where: Where, cls: type[Quiz], minimum: int, maximum: int | None) -> Quiz:
    f = Fields(raw, where, required=("questions",))
    return cls(questions=f.items("questions", parse_question, minimum=minimum, maximum=maximum))


def _parse_module(folder: Path, raw: dict[str, Any], version: int, errors: list[ContentError]) -> Module:
    where = Where(folder, "module.yaml", errors)
    f = Fields(raw["module"], where, required=MODULE_KEYS, optional=("order",))
    module_id = f.ident()
    if module_id and module_id != folder.name:
        f.at("id").error(
            f"id {module_id!r} is not the folder name {folder.name!r}.",
            "Make them the same. Ids are permanent: rename the folder rather than the id of a published module.",
        )
    elements = f.texts("elements")
    by_lower = {code.lower(): code for code in ELEMENTS}
    for code in elements:
        if code not in ELEMENTS:
            close = by_lower.get(code.lower())
            hint = f"Did you mean {close!r}? " if close else ""
            f.at("elements").error(f"unknown element code {code!r}.", f"{hint}Use the codes {', '.join(ELEMENTS)}.")
    if len(set(elements)) != len(elements):
        f.at("elements").error("an element code is listed twice.", "List each element once.")
    age_band = f.text("age_band")
    band = AGE_BAND.match(age_band)
    if age_band and not (band and int(band[1]) <= int(band[2])):
        f.at("age_band").error(f"age_band {age_band!r} is not a range of ages.", "Write it as youngest-oldest, e.g. 13-18.")

    pages = tuple(_parse_page(name, page, Where(folder, name, errors)) for name, page in raw["pages"].items())
    # A quiz.yaml that could not be read is reported already; parsing nothing would only add noise.
    quiz = Quiz(())
    if raw["quiz"] is not None:
        quiz = _parse_questions(raw["quiz"], Where(folder, "quiz.yaml", errors), Quiz, 1, None)
    booster = None
    if raw["booster"] is not None:
        booster_where = Where(folder, "booster.yaml", errors)
        booster = _parse_questions(raw["booster"], booster_where, Booster, BOOSTER_SIZE, BOOSTER_SIZE)
    _check_unique_question_ids(folder, errors, pages, quiz, booster)
    return Module(
        id=module_id,
        schema_version=version,
        order=f.integer("order", 0, minimum=0) if f.has("order") else None,
        title=f.line("title"),
        summary=f.paragraph("summary"),
        elements=elements,
        campaign=f.choice("campaign", CAMPAIGNS),
        minutes=f.integer("minutes", 0, minimum=1, maximum=180),
        age_band=age_band,
        objectives=f.texts("objectives"),
        tip=f.line("tip"),
        pages=pages,
        quiz=quiz,
        booster=booster,
        folder=folder,
    )


def _check_unique_question_ids(
    folder: Path, errors: list[ContentError], pages: tuple[LessonPage, ...], quiz: Quiz, booster: Booster | None
) -> None:
    """Report a question id used in two places: answers are stored by question id."""
    lists: list[tuple[str, str, tuple[Question, ...]]] = [(f"{p.id}.md", "practice", p.practice) for p in pages]
    lists.append(("quiz.yaml", "questions", quiz.questions))
    if booster:
        lists.append(("booster.yaml", "questions", booster.questions))
    seen: dict[str, tuple[str, str]] = {}
    for file, key, questions in lists:
        for index, question in enumerate(questions):
            first = seen.setdefault(question.id, (file, f"{key}[{index}]"))
            # A repeat inside one list is already reported where the list is read.
            if first[0] != file:
                Where(folder, file, errors, path=f"{key}[{index}].id").error(
                    f"question id {question.id!r} is already used in {first[0]} {first[1]}.",
                    "Give every question of the module its own id; answers are stored by question id.",
                )
