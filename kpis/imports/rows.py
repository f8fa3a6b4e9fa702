"""The rows of an import as they go through it: read from the file, checked (with what
each would change), kept by a background job, and the preview of them all."""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kpis.models import KPI

NEW, CHANGED, UNCHANGED, SKIPPED, ERROR = "new", "changed", "unchanged", "skipped", "error"

Progress = Callable[[int, int], None]


@dataclass
class ImportRow:
    number: int
    cells: dict[str, str]
    kind: str = NEW
    errors: list[str] = field(default_factory=list)
    kpi: KPI | None = None
    period: Any = None
    value: Decimal | None = None
    old_value: Decimal | None = None
    comment: str = ""
    version: int = 0
    label: str = ""
    decimals: int = 2
    # An ordinal KPI's level names, worst first, so the preview shows names, not positions.
    levels: list[str] = field(default_factory=list)

    @property
    def value_text(self) -> str | None:
        return _level(self.levels, self.value)

    @property
    def old_value_text(self) -> str | None:
        return _level(self.levels, self.old_value)

    def as_json(self) -> dict:
        """What a background job keeps of a checked row, to show its preview."""
        return {
            "number": self.number,
            "cells": self.cells,
            "kind": self.kind,
            "errors": self.errors,
            "label": self.label,
            "decimals": self.decimals,
            "levels": self.levels,
            "old_value": _text(self.old_value),
            "value": _text(self.value),
            "comment": self.comment,
            "version": self.version,
        }

    @classmethod
    def from_json(cls, data: dict) -> "ImportRow":
        return cls(
            number=data["number"],
            cells=dict(data["cells"]),
            kind=data["kind"],
            errors=list(data["errors"]),
            label=data["label"],
            decimals=data["decimals"],
            levels=list(data.get("levels", [])),
            old_value=_number(data["old_value"]),
            value=_number(data["value"]),
            comment=data["comment"],
            version=data["version"],
        )


def _level(levels: list[str], value: Decimal | None) -> str | None:
    """A position's level name, or None (no levels, no value, or no level there)."""
    if not levels or value is None or value != value.to_integral_value():
        return None
    position = int(value)
    return levels[position] if 0 <= position < len(levels) else None


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _number(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


@dataclass
class Preview:
    rows: list[ImportRow]

    @property
    def has_errors(self) -> bool:
        return any(row.kind == ERROR for row in self.rows)

    def count(self, kind: str) -> int:
        return sum(row.kind == kind for row in self.rows)

    @property
    def counts(self) -> dict[str, int]:
        return {kind: self.count(kind) for kind in (NEW, CHANGED, UNCHANGED, SKIPPED, ERROR)}

    @property
    def to_write(self) -> list[ImportRow]:
        return [row for row in self.rows if row.kind in (NEW, CHANGED)]
