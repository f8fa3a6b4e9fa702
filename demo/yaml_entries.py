"""Checked reading of the catalogue's YAML: one `Entry` per mapping, which knows the file and
the entry it came from, so that every mistake can be reported where it is."""

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NoReturn

import yaml

# The files are named in messages relative to the project root: "demo/catalogue/sales.yaml".
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The default of a field that must be there.
REQUIRED: Any = object()


class CatalogueError(ValueError):
    """A mistake in the demo catalogue, with the file and the entry it is in."""


def read_yaml_file(path: Path) -> "Entry":
    """The file's top-level mapping; a syntax error names the file, line and column."""
    name = _display(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CatalogueError(f"{name}: cannot be read ({error.strerror}).") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        place = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = " ".join(filter(None, (error.context, error.problem)))
        raise CatalogueError(f"{name}{place}: is not valid YAML ({problem}).") from None
    except yaml.YAMLError as error:
        raise CatalogueError(f"{name}: is not valid YAML ({error}).") from None
    return Entry(data if data is not None else {}, name, "")


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def _kind(value: object) -> str:
    return "nothing" if value is None else type(value).__name__


class Entry:
    """One mapping of a catalogue file. Read its fields with the typed getters, then call
    `done()`: a field nobody read is a typo or a field in the wrong place."""

    def __init__(self, data: object, file: str, where: str):
        self.file = file
        self.where = where
        if not isinstance(data, dict):
            self.fail(f"should be a mapping of fields, not {_kind(data)}.")
        self.data: dict[str, Any] = data
        self._read: set[str] = set()

    def fail(self, message: str) -> NoReturn:
        place = f"{self.file}: {self.where}" if self.where else self.file
        raise CatalogueError(f"{place}: {message}")

    def has(self, name: str) -> bool:
        return name in self.data

    def done(self) -> None:
        unknown = [name for name in self.data if name not in self._read]
        if unknown:
            known = ", ".join(sorted(self._read)) or "none"
            self.fail(f"unknown field {unknown[0]!r} (the known fields are: {known}).")

    def _value(self, name: str, default: Any) -> Any:
        self._read.add(name)
        if name in self.data:
            return self.data[name]
        if default is REQUIRED:
            self.fail(f"the field {name!r} is missing.")
        return default

    def text(self, name: str, default: Any = REQUIRED) -> str:
        value = self._value(name, default)
        if value is not default and (not isinstance(value, str) or not value.strip()):
            self.fail(f"{name!r} should be some text, not {_kind(value)} {value!r}.")
        return value

    def optional_text(self, name: str) -> str | None:
        return self.text(name, None)

    def integer(self, name: str, default: Any = REQUIRED) -> int:
        value = self._value(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"{name!r} should be a whole number, not {_kind(value)} {value!r}.")
        return value

    def optional_integer(self, name: str) -> int | None:
        value = self._value(name, None)
        return None if value is None else self.integer(name)

    def number(self, name: str, default: Any = REQUIRED, *, nullable: bool = False) -> Any:
        """An int or a float, kept as YAML read it (3 stays an int, 3.0 a float)."""
        value = self._value(name, default)
        if value is None and nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(f"{name!r} should be a number, not {_kind(value)} {value!r}.")
        return value

    def decimal(self, name: str, default: Any = REQUIRED) -> Any:
        """A number for a decimal field, as the text `Decimal()` reads ("2", "2.5")."""
        value = self._value(name, default)
        if value is default and default is None:
            return None
        text = value if isinstance(value, str) else repr(value)
        try:
            if isinstance(value, bool) or not Decimal(text).is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.fail(f"{name!r} should be a number, not {_kind(value)} {value!r}.")
        return text

    def flag(self, name: str, default: bool = False) -> bool:
        value = self._value(name, default)
        if not isinstance(value, bool):
            self.fail(f"{name!r} should be true or false, not {value!r}.")
        return value

    def choice(self, name: str, choices: dict[str, Any] | list[str], default: Any = REQUIRED):
        """One of `choices`; with a dict, the value it maps the chosen name to."""
        value = self._value(name, default)
        if value is default and default is None:
            return None
        if value not in choices:
            allowed = ", ".join(map(str, choices))
            self.fail(f"{name!r} should be one of {allowed}, not {value!r}.")
        return choices[value] if isinstance(choices, dict) else value

    def texts(self, name: str, default: Any = REQUIRED) -> tuple[str, ...]:
        value = self._value(name, default)
        if not isinstance(value, list | tuple) or not all(
            isinstance(item, str) and item.strip() for item in value
        ):
            self.fail(f"{name!r} should be a list of texts, not {value!r}.")
        return tuple(value)

    def values(self, name: str, default: Any = REQUIRED) -> tuple[str | None, ...]:
        """A list of numbers or texts, each kept as text (null: none), e.g. [98, null, AA]."""
        value = self._value(name, default)
        if not isinstance(value, list | tuple) or not all(
            item is None or (isinstance(item, int | float | str) and not isinstance(item, bool))
            for item in value
        ):
            self.fail(f"{name!r} should be a list of numbers or texts, not {value!r}.")
        return tuple(None if item is None else str(item) for item in value)

    def mapping(self, name: str, label: str) -> "Entry":
        return Entry(self._value(name, REQUIRED), self.file, self._inner(label))

    def pairs(self, name: str) -> tuple[tuple[str, str], ...]:
        """A mapping of text to text, in the order written."""
        value = self._value(name, {})
        if not isinstance(value, dict) or not all(
            isinstance(key, str) and isinstance(item, str) for key, item in value.items()
        ):
            self.fail(f"{name!r} should map texts to texts, not {value!r}.")
        return tuple(value.items())

    def entries(
        self, name: str, label: str, default: Any = REQUIRED, *, key: str = "key"
    ) -> list["Entry"]:
        """The list of mappings under `name`, each named by its `key` field (or its place)."""
        value = self._value(name, default)
        if not isinstance(value, list):
            self.fail(f"{name!r} should be a list, not {_kind(value)}.")
        found = []
        for number, item in enumerate(value, start=1):
            found_key = item.get(key) if isinstance(item, dict) else None
            tag = f"{label} {found_key}" if isinstance(found_key, str) else f"{label} #{number}"
            found.append(Entry(item, self.file, self._inner(tag)))
        return found

    def _inner(self, tag: str) -> str:
        return f"{self.where}, {tag}" if self.where else tag
