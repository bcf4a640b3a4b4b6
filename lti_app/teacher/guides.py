"""Teacher guides: Markdown files with front matter, parsed, checked, rendered and searched.

Guides live in ``GUIDES_DIR/<locale>/<slug>.md``. A module guide has ``module:`` in its front
matter and the sections in ``MODULE_SECTIONS``, each marked with its id (``## Rubric {#rubric}``)
so the checker and the page's contents list work in every language.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

import nh3
from flask import current_app
from markupsafe import Markup

from ..content.fields import ContentError, Fields, Where
from ..content.loader import split_front_matter
from ..content.render import sanitised_html
from ..i18n import DERIVED_CATALOGS

#: Section ids every module guide has, in this order.
MODULE_SECTIONS = (
    "objectives", "plan", "materials", "discussion", "differentiation", "extension", "rubric", "sources",
)
#: The classroom plan's length in minutes.
PLAN_MINUTES = 45
KINDS = ("module", "programme")

_HEADING = re.compile(r"^(#{2,3})\s+(.+?)\s*\{#([a-z0-9-]+)\}\s*$")
_TABLE_ROW = re.compile(r"^\s*\|(.+)\|\s*$")
_MINUTES = re.compile(r"^\s*(\d+)\s*(?:min(?:utes)?\.?)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    #: The section's Markdown, without its heading.
    body: str


@dataclass(frozen=True)
class Guide:
    #: The file name without ``.md``; a module guide's slug is its module id.
    slug: str
    locale: str
    kind: str
    title: str
    summary: str
    #: The module this guide is for; None for programme guides.
    module_id: str | None
    #: Position among programme guides.
    order: int
    body: str
    sections: tuple[Section, ...] = field(repr=False)

    @cached_property
    def html(self) -> Markup:
        return Markup(render_guide_markdown(self.body))

    @cached_property
    def text(self) -> str:
        """The guide as lower-case plain text, for search."""
        return f"{self.title}\n{self.summary}\n{plain(self.html)}".lower()

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)


class GuideLibrary(NamedTuple):
    guides: tuple[Guide, ...]
    errors: tuple[ContentError, ...]

    def for_locale(self, locale: str, fallback: str = "en") -> list[Guide]:
        """Return one guide per slug, in ``locale`` where it exists, else in ``fallback``."""
        chosen: dict[str, Guide] = {}
        for guide in self.guides:
            if guide.locale == fallback and guide.slug not in chosen:
                chosen[guide.slug] = guide
        for guide in self.guides:
            if guide.locale == locale:
                chosen[guide.slug] = guide
        return sorted(chosen.values(), key=lambda g: (g.kind != "programme", g.order, g.slug))

    def get(self, slug: str, locale: str, fallback: str = "en") -> Guide | None:
        return next((g for g in self.for_locale(locale, fallback) if g.slug == slug), None)

    def locales(self, slug: str) -> list[str]:
        return sorted(g.locale for g in self.guides if g.slug == slug)

    def search(self, query: str, locale: str, fallback: str = "en") -> list[Guide]:
        """Return the guides containing every word of ``query``, best matches first."""
        words = [w for w in re.findall(r"\w+", query.lower()) if len(w) > 1]
        if not words:
            return []
        hits = []
        for guide in self.for_locale(locale, fallback):
            if all(word in guide.text for word in words):
                in_title = sum(word in guide.title.lower() for word in words)
                hits.append((-in_title, -sum(guide.text.count(word) for word in words), guide.slug, guide))
        return [hit[-1] for hit in sorted(hits, key=lambda hit: hit[:3])]


def render_guide_markdown(text: str) -> str:
    """Render guide Markdown to sanitised HTML; headings keep their ``{#id}`` as an anchor."""
    return sanitised_html(text, ("sane_lists", "tables", "attr_list"), {"h2": {"id"}, "h3": {"id"}})


def plain(html_text: str) -> str:
    return html.unescape(nh3.clean(str(html_text), tags=set()))


def load_guides(guides_dir: Path | str, module_ids: set[str] | None = None) -> GuideLibrary:
    """Load every guide under ``guides_dir``; a guide with problems is reported and left out.

    With ``module_ids``, a module guide must name a module in it.
    """
    root = Path(guides_dir)
    guides: list[Guide] = []
    errors: list[ContentError] = []
    if not root.is_dir():
        return GuideLibrary((), ())
    for locale_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        for path in sorted(locale_dir.glob("*.md")):
            if path.name.startswith((".", "_")):
                continue
            before = len(errors)
            guide = load_guide(path, errors, module_ids)
            if guide is not None and len(errors) == before:
                guides.append(guide)
    written = {(g.locale, g.slug) for g in guides}
    for locale, (base, convert) in DERIVED_CATALOGS.items():
        guides += [derived(g, locale, convert) for g in guides if g.locale == base and (locale, g.slug) not in written]
    return GuideLibrary(tuple(guides), tuple(errors))


def derived(guide: Guide, locale: str, convert) -> Guide:
    """Return a guide in a locale made from another by a change of script (Serbian Latin)."""
    return replace(
        guide, locale=locale, title=convert(guide.title), summary=convert(guide.summary), body=convert(guide.body),
        sections=tuple(replace(s, title=convert(s.title), body=convert(s.body)) for s in guide.sections),
    )


def load_guide(path: Path, errors: list[ContentError], module_ids: set[str] | None = None) -> Guide | None:
    where = Where(path.parent, path.name, errors)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        where.error(f"the file cannot be read ({exc.__class__.__name__}).", "Save it as UTF-8 text.")
        return None
    front, body, body_line = _front_matter(text, where)
    if front is None:
        return None
    f = Fields(front, where, required=("title", "summary"), optional=("module", "order"))
    title, summary = f.line("title"), f.paragraph("summary")
    module_id = f.ident("module") if f.has("module") else None
    order = f.integer("order", default=100, minimum=0)
    slug = path.stem
    kind = "module" if module_id else "programme"
    if module_id and module_id != slug:
        f.at("module").error(
            f"the guide is for module '{module_id}' but its file is '{path.name}'.",
            f"Name the file '{module_id}.md'.",
        )
    if module_id and module_ids is not None and module_id not in module_ids:
        f.at("module").error(f"there is no module '{module_id}'.", "Use the id of a folder under modules/.")
    sections = _sections(body, where, body_line)
    if kind == "module":
        _check_module_sections(sections, where)
    return Guide(
        slug=slug, locale=path.parent.name, kind=kind, title=title, summary=summary,
        module_id=module_id, order=order, body=body, sections=tuple(sections),
    )


def _front_matter(text: str, where: Where) -> tuple[Any, str, int]:
    split = split_front_matter(text, where)
    if split["broken"]:
        return None, "", 1
    if split["front_matter"] is None:
        where.at_line(1).error("the guide has no front matter.", "Start it with ---, then title: and summary:, then ---.")
        return None, "", 1
    return split["front_matter"], split["body"], split["body_line"]


def _sections(body: str, where: Where, body_line: int) -> list[Section]:
    sections: list[Section] = []
    current: tuple[str, str] | None = None
    lines: list[str] = []
    in_fence = False
    for number, line in enumerate(body.split("\n"), start=body_line):
        in_fence ^= line.startswith("```")
        if in_fence:
            lines.append(line)
            continue
        if line.startswith("# "):
            where.at_line(number).error(
                "a '# ' title inside the guide.", "The title comes from the front matter; use '## ' for sections."
            )
        match = _HEADING.match(line)
        if match and len(match.group(1)) == 2:
            if current:
                sections.append(Section(current[0], current[1], "\n".join(lines).strip()))
            current, lines = (match.group(3), match.group(2)), []
        else:
            lines.append(line)
    if current:
        sections.append(Section(current[0], current[1], "\n".join(lines).strip()))
    return sections


def _check_module_sections(sections: list[Section], where: Where) -> None:
    ids = [s.id for s in sections]
    missing = [s for s in MODULE_SECTIONS if s not in ids]
    if missing:
        where.error(
            f"the guide has no section {', '.join(repr(m) for m in missing)}.",
            "Every module guide has the sections " + ", ".join(MODULE_SECTIONS)
            + ", each as a '## Heading {#id}' line.",
        )
        return
    present = [i for i in ids if i in MODULE_SECTIONS]
    if present != list(MODULE_SECTIONS):
        where.error("the sections are out of order.", "Put them in this order: " + ", ".join(MODULE_SECTIONS) + ".")
    by_id = {s.id: s for s in sections}
    plan = _table(by_id["plan"].body)
    minutes = [_MINUTES.match(row[0]) for row in plan[1:]]
    if not plan or not all(minutes):
        where.error(
            "the classroom plan is not a table whose first column gives minutes.",
            "Write the plan as a table: | Minutes | Step | What happens |, one row per step.",
        )
    elif (total := sum(int(m.group(1)) for m in minutes)) != PLAN_MINUTES:
        where.error(
            f"the classroom plan adds up to {total} minutes.", f"Make the steps add up to {PLAN_MINUTES} minutes."
        )
    rubric = _table(by_id["rubric"].body)
    if not rubric or len(rubric[0]) != 4 or len(rubric) < 3:
        where.error(
            "the rubric is not a table with a criterion column and three levels.",
            "Write it as | Criterion | Beginning | Developing | Secure |, with a row per criterion.",
        )
    if not re.search(r"^\s*(?:[-*]|\d+\.)\s+\S", by_id["sources"].body, re.MULTILINE):
        where.error("the sources section lists no sources.", "List every source a fact in the guide comes from.")


def _table(markdown_text: str) -> list[list[str]]:
    """Return the first Markdown table's rows (header first, separator dropped) as cells."""
    rows: list[list[str]] = []
    for line in markdown_text.split("\n"):
        match = _TABLE_ROW.match(line)
        if match:
            cells = [cell.strip() for cell in match.group(1).split("|")]
            if not all(re.fullmatch(r":?-{3,}:?", cell) for cell in cells):
                rows.append(cells)
        elif rows:
            break
    return rows


def guide_library() -> GuideLibrary:
    """Return the current app's guides, loading GUIDES_DIR on first use."""
    from ..content import catalogue

    extensions = current_app.extensions
    if "guide_library" not in extensions:
        module_ids = {module.id for module in catalogue().modules}
        loaded = load_guides(current_app.config["GUIDES_DIR"], module_ids)
        for error in loaded.errors:
            current_app.logger.warning("teacher guide left out: %s", error)
        extensions["guide_library"] = loaded
    return extensions["guide_library"]
