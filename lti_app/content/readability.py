"""How hard a module's student text is to read, as a Flesch-Kincaid grade level.

The grade is a school grade: 8.0 means a typical 13-to-14-year-old reads it comfortably.
Syllables come from Pyphen's hyphenation dictionaries, so no word list has to be
downloaded; the formula is Kincaid et al. (1975).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

import nh3
import pyphen

from .render import _to_html
from .schema import MarkdownBlock, Module, translatable_strings

#: The highest grade level a module's student text may reach (about grade 8, with some slack
#: because the names of techniques, such as "misinformation", are long words students must learn).
MAX_GRADE = 9.0

#: Fields that are not prose: names on mock posts, times, search boxes.
_NOT_PROSE = {"display_name", "time", "query", "handle"}
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")


@dataclass(frozen=True)
class Readability:
    words: int
    sentences: int
    syllables: int

    @property
    def grade(self) -> float:
        """Return the Flesch-Kincaid grade level."""
        if not self.words:
            return 0.0
        return round(0.39 * self.words / self.sentences + 11.8 * self.syllables / self.words - 15.59, 1)


@lru_cache(maxsize=8)
def _dictionary(lang: str) -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=lang, left=1, right=1)


_VOWELS = re.compile(r"[aeiouy]+")
_SILENT_END = re.compile(r"(?<=[^aeiouyl])e$|(?<=[^aeiouytd])ed$|(?<=[^aeiouysxzhc])es$")


def syllables(word: str, lang: str = "en_US") -> int:
    """Count the syllables of one word.

    Hyphenation points miss syllables that are never split ("i-de-a" is not hyphenated), so in
    English the count of vowel groups, less a silent final "e", is taken when it is higher.
    """
    word = word.lower()
    count = len(_dictionary(lang).positions(word)) + 1
    if lang.startswith("en"):
        count = max(count, len(_VOWELS.findall(_SILENT_END.sub("", word))))
    return count


def plain_text(markdown_text: str) -> str:
    """Return Markdown as plain text."""
    return html.unescape(nh3.clean(_to_html(markdown_text), tags=set()))


def measure(texts: list[str], lang: str = "en_US") -> Readability:
    """Measure a list of texts; each text is at least one sentence, as a heading or option is."""
    words = sentences = count = 0
    for text in texts:
        found = _WORD.findall(text)
        if not found:
            continue
        words += len(found)
        count += sum(syllables(word, lang) for word in found)
        sentences += max(1, len(_SENTENCE_END.findall(text)))
    return Readability(words=words, sentences=sentences, syllables=count)


def student_texts(module: Module) -> list[str]:
    """Return every text a student reads in a module, as plain text."""
    texts = [
        plain_text(value)
        for path, value in translatable_strings(module).items()
        if ".body" not in path and _prose(path)
    ]
    for page in module.pages:
        for block in page.blocks:
            if isinstance(block, MarkdownBlock):
                texts.append(plain_text(block.text))
            else:
                texts += [
                    plain_text(value)
                    for path, value in translatable_strings(block).items()
                    if _prose(path)
                ]
    return texts


def _prose(path: str) -> bool:
    return path.rsplit(".", 1)[-1] not in _NOT_PROSE


def module_readability(module: Module) -> Readability:
    return measure(student_texts(module))
