"""The typed shape of a MIL CLICKS module: what the loader turns module files into.

Every object is frozen. Text a translator will need is marked with ``translatable()``, so
``translatable_strings`` can address each one by a stable path such as
``quiz.q3.options.b.feedback``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from collections.abc import Iterator
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l

#: The module format this code reads; older versions are upgraded by ``loader.MIGRATIONS``.
SCHEMA_VERSION = 1

#: The six MIL CLICKS elements, by the code authors write in ``elements``.
ELEMENTS = {
    "C": _l("Critical thinking and creativity"),
    "L": _l("Literacy"),
    "I": _l("Intercultural"),
    "Ci": _l("Citizenship"),
    "K": _l("Knowledge"),
    "S": _l("Sustainability"),
}
CAMPAIGNS = ("#UnLockYourMedia", "#UnLockYourInformation")


def translatable(inline: bool = False) -> Any:
    """Mark a field as text to translate, or as holding such text.

    ``inline`` leaves the field's own name out of the path: ``quiz.q3`` rather than
    ``quiz.questions.q3``.
    """
    return field(metadata={"translate": "inline" if inline else True})


# Lesson components -----------------------------------------------------------


@dataclass(frozen=True)
class Image:
    """An image file in the module folder, with the alt text every image must have."""

    #: Path relative to the module folder, e.g. ``images/flood.svg``.
    src: str
    alt: str = translatable()
    #: The file on disk, checked to exist when the module loads.
    file: Path = field(repr=False)


@dataclass(frozen=True)
class MarkdownBlock:
    """A run of Markdown between components."""

    component: ClassVar[str] = "markdown"
    #: Translated as part of its page's body, never on its own.
    text: str = translatable()


@dataclass(frozen=True)
class Post:
    """A mock social-media post by an invented account."""

    component: ClassVar[str] = "post"
    display_name: str = translatable()
    handle: str
    #: One to three letters shown in the round avatar; a translation may change them with the name.
    initials: str = field(metadata={"skeleton": False})
    #: As the app would show it: "2 h", "Yesterday, 18:40".
    time: str = translatable()
    text: str = translatable()
    likes: int
    shares: int
    sponsored: bool
    image: Image | None = translatable()


@dataclass(frozen=True)
class SearchResult:
    """One result on a mock search page."""

    title: str = translatable()
    url: str
    snippet: str = translatable()
    ad: bool


@dataclass(frozen=True)
class SearchPage:
    """A mock page of search results."""

    component: ClassVar[str] = "search"
    query: str = translatable()
    results: tuple[SearchResult, ...] = translatable()


@dataclass(frozen=True)
class Callout:
    """A boxed note beside the main text."""

    component: ClassVar[str] = "callout"
    #: ``note``, ``think``, ``warning`` or ``safety``; each has its own visible label.
    kind: str
    title: str = translatable()
    text: str = translatable()


@dataclass(frozen=True)
class Figure:
    """An image from the module folder with an optional caption."""

    component: ClassVar[str] = "figure"
    image: Image = translatable()
    caption: str = translatable()


@dataclass(frozen=True)
class Tip:
    """Where the module's one-line CLICKER tip is shown."""

    component: ClassVar[str] = "tip"


Block = MarkdownBlock | Post | SearchPage | Callout | Figure | Tip


# Questions -------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """Fields every question has; each question type adds its own."""

    id: str
    #: The registered question type's name, e.g. ``single_choice``.
    type: str
    #: One paragraph of Markdown.
    prompt: str = translatable()
    #: Points for a fully right answer; 0 for unscored types.
    points: float


@dataclass(frozen=True)
class Option:
    """A choice with the feedback a learner sees about it."""

    id: str
    text: str = translatable()
    feedback: str = translatable()
    correct: bool


@dataclass(frozen=True)
class ChoiceQuestion(Question):
    options: tuple[Option, ...] = translatable()


@dataclass(frozen=True)
class TrueFalseReasonQuestion(Question):
    #: Whether the statement in the prompt is true.
    answer: bool
    feedback_if_true: str = translatable()
    feedback_if_false: str = translatable()
    reasons: tuple[Option, ...] = translatable()


@dataclass(frozen=True)
class Item:
    """Something a learner places: a step to order, a thing to sort."""

    id: str
    text: str = translatable()
    feedback: str = translatable()


@dataclass(frozen=True)
class OrderingQuestion(Question):
    #: In the order they are shown to the learner.
    items: tuple[Item, ...] = translatable()
    #: Item ids in the right order.
    order: tuple[str, ...]


@dataclass(frozen=True)
class Category:
    id: str
    text: str = translatable()


@dataclass(frozen=True)
class MatchItem(Item):
    #: The id of the category the item belongs in.
    category: str


@dataclass(frozen=True)
class MatchingQuestion(Question):
    categories: tuple[Category, ...] = translatable()
    items: tuple[MatchItem, ...] = translatable()


@dataclass(frozen=True)
class Source:
    """A described source a learner can judge."""

    id: str
    name: str = translatable()
    description: str = translatable()
    feedback: str = translatable()
    correct: bool


@dataclass(frozen=True)
class CredibleSourceQuestion(Question):
    sources: tuple[Source, ...] = translatable()


@dataclass(frozen=True)
class GradedResult(SearchResult):
    """A search result a learner can pick, graded ``best``, ``acceptable`` or ``poor``."""

    id: str
    grade: str
    feedback: str = translatable()


@dataclass(frozen=True)
class SearchPickQuestion(Question):
    query: str = translatable()
    results: tuple[GradedResult, ...] = translatable()
    #: Share of the points for an acceptable result.
    partial_credit: float


@dataclass(frozen=True)
class Headline:
    id: str
    text: str = translatable()
    #: The invented outlet or account it appeared under; may be empty.
    source: str = translatable()
    #: Whether the headline is true.
    accurate: bool
    feedback: str = translatable()


@dataclass(frozen=True)
class HeadlineRatingQuestion(Question):
    headlines: tuple[Headline, ...] = translatable()


@dataclass(frozen=True)
class ShareItem:
    id: str
    post: Post = translatable()
    #: Whether what the post claims is true.
    accurate: bool
    feedback: str = translatable()


@dataclass(frozen=True)
class ShareDecisionQuestion(Question):
    posts: tuple[ShareItem, ...] = translatable()


@dataclass(frozen=True)
class ConfidenceQuestion(Question):
    feedback: str = translatable()


@dataclass(frozen=True)
class ReflectionQuestion(Question):
    #: Shown after the learner answers: what a good answer covers.
    feedback: str = translatable()
    min_length: int
    max_length: int


# Modules ---------------------------------------------------------------------


@dataclass(frozen=True)
class LessonPage:
    #: The file name without ``.md``; permanent, like every id.
    id: str
    title: str = translatable()
    #: The page's Markdown source, components included: the unit a translator works on.
    body: str = translatable()
    #: The body parsed into Markdown runs and components, in order.
    blocks: tuple[Block, ...]
    #: Questions answered in the lesson with immediate feedback; not part of the grade.
    practice: tuple[Question, ...] = translatable()


@dataclass(frozen=True)
class Quiz:
    questions: tuple[Question, ...] = translatable(inline=True)

    @property
    def max_points(self) -> float:
        return sum(question.points for question in self.questions)


@dataclass(frozen=True)
class Booster(Quiz):
    """Three questions asked again some days after the module, to make the learning stick."""


@dataclass(frozen=True)
class Module:
    id: str
    schema_version: int
    #: Position in the catalogue (the programme's module number); None sorts last.
    order: int | None
    title: str = translatable()
    summary: str = translatable()
    #: MIL CLICKS element codes, keys of ``ELEMENTS``.
    elements: tuple[str, ...]
    campaign: str
    minutes: int
    #: e.g. ``13-18``.
    age_band: str
    objectives: tuple[str, ...] = translatable()
    #: The one-line CLICKER tip.
    tip: str = translatable()
    pages: tuple[LessonPage, ...] = translatable()
    quiz: Quiz = translatable()
    booster: Booster | None = translatable()
    #: Where the module's files are.
    folder: Path = field(repr=False)

    def page(self, page_id: str) -> LessonPage | None:
        return next((page for page in self.pages if page.id == page_id), None)

    def questions(self) -> Iterator[Question]:
        """Yield every question of the module: practice, quiz, then booster."""
        for page in self.pages:
            yield from page.practice
        yield from self.quiz.questions
        if self.booster:
            yield from self.booster.questions

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions() if q.id == question_id), None)


def translatable_fields(obj: Any, prefix: str = "") -> Iterator[tuple[str, str, Any]]:
    """Yield (field name, stable path, value) for each field of ``obj`` marked translatable."""
    for spec in fields(obj):
        mode = spec.metadata.get("translate")
        if mode:
            yield spec.name, prefix if mode == "inline" else f"{prefix}.{spec.name}".lstrip("."), getattr(obj, spec.name)


def item_path(path: str, index: int, item: Any) -> str:
    """Return the path of one item of a translatable tuple: by its id, else by position."""
    return f"{path}.{index}" if isinstance(item, str) else f"{path}.{getattr(item, 'id', index)}".lstrip(".")


def translatable_strings(obj: Any, prefix: str = "") -> dict[str, str]:
    """Return every translatable text below ``obj`` by its stable path."""
    found: dict[str, str] = {}
    for _name, path, value in translatable_fields(obj, prefix):
        if isinstance(value, str) and value:
            found[path] = value
        elif is_dataclass(value):
            found.update(translatable_strings(value, path))
        elif isinstance(value, tuple):
            for index, item in enumerate(value):
                if isinstance(item, str):
                    found[item_path(path, index, item)] = item
                else:
                    found.update(translatable_strings(item, item_path(path, index, item)))
    return found
