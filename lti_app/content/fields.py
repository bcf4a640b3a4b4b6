"""Read YAML into typed values, recording every problem with its file, field path and line."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import yaml
from yaml.constructor import ConstructorError

T = TypeVar("T")

#: Ids are lowercase words joined by hyphens, so they survive URLs, form names and file names.
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: Shortest feedback accepted: "Correct!" teaches nothing.
FEEDBACK_MIN_LENGTH = 40

TEXT_FIX = "Write it as text; put it in quotes if it looks like a number, a time, a date or yes/no."
#: How to fix a missing key, for the keys authors most often forget.
HINTS = {
    "feedback": "Every option needs feedback that explains why and what a fact-checker would do.",
    "alt": "Every image needs alt text that says what the image shows, for learners who cannot see it.",
    "id": "Give it a short lowercase id such as 'q1' or 'b'. Ids are permanent: never change or reuse one.",
    "schema_version": "Add 'schema_version: 1' at the top of module.yaml.",
}


@dataclass(frozen=True)
class ContentError:
    """One problem in a module's files: where it is, what is wrong and how to fix it."""

    #: The file as modules folder / module folder / file, e.g. ``modules/lateral-reading/quiz.yaml``.
    file: str
    #: The field path inside the file, e.g. ``questions[2].options[1]``; empty for the whole file.
    path: str
    #: The line the problem starts on, when known.
    line: int | None
    message: str
    fix: str

    def __str__(self) -> str:
        place = self.file if self.line is None else f"{self.file}:{self.line}"
        return ": ".join(filter(None, (place, self.path, f"{self.message} {self.fix}")))


@dataclass(frozen=True)
class Where:
    """A place in one module's files, and the shared list its problems go to."""

    folder: Path
    file: str
    errors: list[ContentError] = field(compare=False, repr=False)
    path: str = ""
    line: int | None = None

    def child(self, key: str | int, line: int | None = None) -> Where:
        """Return the place of a key or list index below this one."""
        if isinstance(key, int):
            path = f"{self.path}[{key}]"
        else:
            path = f"{self.path}.{key}" if self.path else key
        return replace(self, path=path, line=line or self.line)

    def at_line(self, line: int | None) -> Where:
        return replace(self, line=line)

    def error(self, message: str, fix: str) -> None:
        shown = f"{self.folder.parent.name}/{self.folder.name}/{self.file}"
        self.errors.append(ContentError(shown, self.path, self.line, message, fix))


class LineDict(dict):
    """A YAML mapping that remembers the line it and each of its keys start on."""

    line: int | None = None
    key_lines: dict[Any, int]


class LineList(list):
    """A YAML sequence that remembers the line each of its items starts on."""

    line: int | None = None
    item_lines: list[int]


class DuplicateKey(ConstructorError):
    """A mapping that gives the same key twice; plain YAML would silently keep the last."""


class _Loader(yaml.SafeLoader):
    """Safe YAML loader that keeps line numbers and refuses a key given twice."""

    first_line = 1


def _line(loader: _Loader, node: yaml.Node) -> int:
    return loader.first_line + node.start_mark.line


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line, result.key_lines = _line(loader, node), {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool, date)) and key is not None:
            raise ConstructorError(None, None, "found a list or mapping used as a key", key_node.start_mark)
        if key in result:
            raise DuplicateKey(None, None, f"found the key {key!r} twice", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = _line(loader, key_node)
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line, result.item_lines = _line(loader, node), [_line(loader, c) for c in node.value]
    return result


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def read_yaml(text: str, where: Where, first_line: int = 1) -> Any:
    """Parse YAML text that starts on ``first_line`` of its file; record a syntax error and return None."""
    loader = _Loader(text)
    loader.first_line = first_line
    try:
        return loader.get_single_data()
    except DuplicateKey as exc:
        where.at_line(first_line + exc.problem_mark.line).error(
            f"{exc.problem}.", "Keep one of the two; each key may appear once in an entry."
        )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark else None
        problem = exc.problem or exc.context or "unreadable YAML"
        where.at_line(line).error(
            f"invalid YAML: {problem}.",
            "Check the indentation and quoting on this line and the one before it; "
            "text containing ': ' or starting with a quote, '*', '&', '!', '[' or '{' needs quotes around it.",
        )
    except yaml.YAMLError as exc:
        where.error(f"invalid YAML: {exc}.", "Save the file as plain UTF-8 YAML text.")
    finally:
        loader.dispose()
    return None


def describe(value: Any) -> str:
    """Name the kind of a YAML value for an error message."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"yes/no ({value})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, date):
        return f"a date ({value})"
    if isinstance(value, str):
        return f"text ({value!r})" if len(value) < 40 else "a long text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping of keys"
    return type(value).__name__


class Fields:
    """The keys of one YAML mapping, read into typed values; each problem is recorded, not raised.

    A getter returns its default when the key is absent or wrong, so parsing carries on and
    reports everything at once; a module with any recorded problem is then rejected as a whole.
    """

    def __init__(self, raw: Any, where: Where, required: Iterable[str] = (), optional: Iterable[str] = ()):
        self.where = where
        required, optional = tuple(required), tuple(optional)
        allowed = required + optional
        self.raw: dict = raw if isinstance(raw, dict) else {}
        if not isinstance(raw, dict):
            where.error(
                f"expected a mapping with the keys {', '.join(allowed)}; found {describe(raw)}.",
                "Write one 'key: value' per line, indented under this entry.",
            )
            return
        for key in raw:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f"Did you mean {close[0]!r}? " if close else ""
                self.at(key).error(f"unknown key {key!r}.", f"{hint}Allowed keys here: {', '.join(allowed)}.")
        for key in required:
            if raw.get(key) is None:
                where.error(
                    f"missing {key!r}.",
                    HINTS.get(key, f"Add '{key}:' here; docs/module-format.md describes every field."),
                )

    def at(self, key: Any) -> Where:
        """Return the place of ``key`` in this mapping, with its line."""
        return self.where.child(str(key), getattr(self.raw, "key_lines", {}).get(key))

    def has(self, key: str) -> bool:
        return self.raw.get(key) is not None

    def _value(self, key: str, ok: Callable[[Any], bool], expected: str, fix: str) -> Any:
        """Return the value if present and ``ok``; record a problem and return None otherwise."""
        value = self.raw.get(key)
        if value is None:
            return None
        if not ok(value):
            self.at(key).error(f"{key!r} must be {expected}; found {describe(value)}.", fix)
            return None
        return value

    def text(self, key: str) -> str:
        value = self._value(key, lambda v: isinstance(v, str) and bool(v.strip()), "text", TEXT_FIX)
        return "" if value is None else value.strip()

    def line(self, key: str) -> str:
        """Read text that must fit on one line (a title, a tip)."""
        value = self.text(key)
        if "\n" in value:
            self.at(key).error(f"{key!r} must be one line.", "Shorten it to a single sentence without line breaks.")
        return value

    def paragraph(self, key: str) -> str:
        """Read text that must be one paragraph: no blank line inside it."""
        value = self.text(key)
        if "\n\n" in value:
            self.at(key).error(
                f"{key!r} must be one paragraph.",
                "Remove the blank line; put longer context in a lesson page instead.",
            )
        return value

    def feedback(self, key: str = "feedback") -> str:
        value = self.text(key)
        if value and len(value) < FEEDBACK_MIN_LENGTH:
            self.at(key).error(
                f"{key!r} is too short to help a learner ({len(value)} characters).",
                "Explain why, and what a fact-checker would do, in at least "
                f"{FEEDBACK_MIN_LENGTH} characters.",
            )
        return value

    def ident(self, key: str = "id") -> str:
        value = self.text(key)
        if value and not ID_PATTERN.match(value):
            self.at(key).error(
                f"{key!r} {value!r} is not a valid id.",
                "Use lowercase letters, digits and single hyphens only, e.g. 'q1' or 'spot-the-ad'.",
            )
        return value

    def integer(self, key: str, default: int, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self._value(
            key, lambda v: isinstance(v, int) and not isinstance(v, bool), "a whole number", "Write digits only, e.g. 3."
        )
        if value is None:
            return default
        return self._in_range(key, value, minimum, maximum, default)

    def number(self, key: str, default: float, minimum: float | None = None, maximum: float | None = None) -> float:
        value = self._value(
            key,
            lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
            "a number",
            "Write a number such as 1 or 0.5.",
        )
        if value is None:
            return default
        return float(self._in_range(key, value, minimum, maximum, default))

    def _in_range(self, key: str, value: Any, minimum: Any, maximum: Any, default: Any) -> Any:
        bounds = []
        if minimum is not None and value < minimum:
            bounds.append(f"at least {minimum}")
        if maximum is not None and value > maximum:
            bounds.append(f"at most {maximum}")
        if bounds:
            self.at(key).error(f"{key!r} is {value}.", f"It must be {' and '.join(bounds)}.")
            return default
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self._value(key, lambda v: isinstance(v, bool), "true or false", "Write true or false, without quotes.")
        return default if value is None else value

    def choice(self, key: str, allowed: Iterable[str], default: str = "") -> str:
        allowed = tuple(allowed)
        value = self.text(key)
        if value and value not in allowed:
            self.at(key).error(f"{key!r} {value!r} is not allowed.", f"Use one of: {', '.join(allowed)}.")
            return default
        return value or default

    def texts(self, key: str, minimum: int = 1) -> tuple[str, ...]:
        """Read a list of non-empty texts."""
        values = self._list(key, minimum)
        result = []
        for index, value in enumerate(values):
            if isinstance(value, str) and value.strip():
                result.append(value.strip())
            else:
                self._item_where(key, values, index).error(
                    f"item must be text; found {describe(value)}.", TEXT_FIX
                )
        return tuple(result)

    def items(
        self, key: str, parse: Callable[[Any, Where], T | None], minimum: int = 1, maximum: int | None = None
    ) -> tuple[T, ...]:
        """Parse each entry of a list; report entries that share an id."""
        values = self._list(key, minimum, maximum)
        parsed: list[T] = []
        seen: dict[str, int] = {}
        for index, value in enumerate(values):
            where = self._item_where(key, values, index)
            item = parse(value, where)
            if item is None:
                continue
            item_id = getattr(item, "id", "")
            if item_id and item_id in seen:
                where.error(
                    f"duplicate id {item_id!r}; {key}[{seen[item_id]}] already uses it.",
                    "Give each entry its own id. Ids are permanent, so pick a new one rather than reusing an old one.",
                )
            seen.setdefault(item_id, index)
            parsed.append(item)
        return tuple(parsed)

    def nested(self, key: str, parse: Callable[[Any, Where], T]) -> T | None:
        """Parse the mapping under ``key``, or return None if the key is absent."""
        if not self.has(key):
            return None
        return parse(self.raw[key], self.at(key))

    def _list(self, key: str, minimum: int, maximum: int | None = None) -> list:
        value = self.raw.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.at(key).error(
                f"{key!r} must be a list; found {describe(value)}.", "Start each entry on its own line with '- '."
            )
            return []
        if len(value) < minimum or (maximum is not None and len(value) > maximum):
            wanted = f"exactly {minimum}" if minimum == maximum else (
                f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            )
            self.at(key).error(f"{key!r} has {len(value)} entries.", f"It needs {wanted}.")
        return value

    def _item_where(self, key: str, values: list, index: int) -> Where:
        lines = getattr(values, "item_lines", None)
        return self.at(key).child(index, lines[index] if lines else None)
