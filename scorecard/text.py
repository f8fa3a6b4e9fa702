"""Text that people read: titles and names that show what they say, notification titles that
fit their column, and e-mail subjects on one line.

Titles and names are shown on every page, in PDFs, e-mails and chart labels. A bidi control
(U+202E RIGHT-TO-LEFT OVERRIDE, say) makes a title display other than it reads in the data
(`gpj.exe` shown as `exe.jpg`), and a title of zero-width characters looks blank while it
counts as filled in. Both are refused wherever a title or name is saved: the models' field
checks run for page forms, the admin, the API (services call `full_clean()`) and imports."""

import re
import unicodedata
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats

BIDI_CONTROLS = frozenset(
    "\u061c"  # ARABIC LETTER MARK
    "\u200e\u200f"  # LEFT-TO-RIGHT and RIGHT-TO-LEFT MARK
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings, overrides and their POP
    "\u2066\u2067\u2068\u2069"  # isolates and their POP
)
# Characters that take no room: a text made of these (and spaces) shows as nothing.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")

TEXT_HAS_BIDI_CONTROL = (
    "Remove the invisible direction mark (U+{code:04X}): it makes the text display "
    "differently from what it says."
)
TEXT_INVISIBLE = "Write some visible text: this holds only spaces or invisible characters."

ELLIPSIS = "…"


def validate_display_text(value: str | None) -> None:
    """Refuse a title or name that would display other than it reads, or show as nothing.
    Blank is the field's own rule (`blank=`): this only looks at text that is there."""
    if not value:
        return
    for character in value:
        if character in BIDI_CONTROLS:
            raise ValidationError(
                TEXT_HAS_BIDI_CONTROL.format(code=ord(character)), code="bidi_control"
            )
    if all(character.isspace() or character in ZERO_WIDTH for character in value):
        raise ValidationError(TEXT_INVISIBLE, code="invisible_text")


class DisplayTextFields:
    """Model mixin: `display_text_fields` names the titles and names that
    `validate_display_text` checks, as part of the model's field checks (so the error sits on
    the field, in page forms, the admin and the API alike). It lives here rather than in each
    field's `validators`, which would need a migration of every model for a rule about
    characters, not columns."""

    display_text_fields: tuple[str, ...] = ()

    def clean_fields(self, exclude: Iterable[str] | None = None) -> None:
        excluded = set(exclude or ())
        errors: dict[str, Any] = {}
        try:
            super().clean_fields(exclude=exclude)  # type: ignore[misc]
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for name in self.display_text_fields:
            if name in excluded or name in errors:
                continue
            try:
                validate_display_text(getattr(self, name))
            except ValidationError as error:
                errors[name] = error.error_list
        if errors:
            raise ValidationError(errors)


def truncated(text: str, length: int) -> str:
    """`text` cut to at most `length` characters, an ellipsis showing where. It cuts between
    whole characters (a letter with its combining accents counts as one), never inside one."""
    if len(text) <= length:
        return text
    cut = length - len(ELLIPSIS)
    while cut > 0 and unicodedata.combining(text[cut]):
        cut -= 1
    return text[:cut].rstrip() + ELLIPSIS


def fitted(text: str, model: type[models.Model], field: str) -> str:
    """`text` cut to fit the column of `model.field`, as `truncated` cuts."""
    length = getattr(model._meta.get_field(field), "max_length", None)
    return text if length is None else truncated(text, length)


_LINE_BREAKS_AND_CONTROLS = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: str) -> str:
    """`text` on one line: every run of whitespace, line breaks and control characters
    becomes one space. Mail headers refuse a line break (header injection)."""
    return _LINE_BREAKS_AND_CONTROLS.sub(" ", text).strip()


def coded(item: Any) -> str:
    """An objective's title or a KPI's name with its code before it ("1.2.1 Revenue"), as
    published scorecards list them; the title alone when it has no code."""
    title = str(getattr(item, "title", None) or getattr(item, "name", "") or "")
    code = getattr(item, "code", "")
    return f"{code} {title}" if code else title


NO_NUMBER = "–"


def measure_text(value: Decimal | str | int | None, decimals: int = 1) -> str:
    """A KPI's value as every page, PDF and export's text shows it: the KPI's decimals,
    rounded half-up, with thousands separators ("47,400,000", "12.5"); an en dash if none.
    The one place numbers are formatted, so a page and its PDF never disagree."""
    if value in (None, ""):
        return NO_NUMBER
    number = Decimal(value)
    places = int(decimals)
    # Enough digits for any stored value (computed ones hold 32) at the KPI's decimals.
    with localcontext(prec=max(28, number.adjusted() + places + 2)):
        rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{rounded:,.{places}f}"


def score_text(value: Decimal | str | None) -> str:
    """A score with one decimal (DESIGN.md section 4: scores are stored with six, pages
    show one)."""
    return measure_text(value, 1)


NOBODY = "nobody"


def person_name(user: Any) -> str:
    """A person as every page, message and e-mail names them: their full name, else their
    username; "nobody" when there is none. The one place a person's name is chosen (the
    `person` template filter calls it)."""
    if not user:
        return NOBODY
    return user.get_full_name() or user.username


def day_text(day: Any) -> str:
    """A date as people read it ("1 Jul 2026"): Django's localization with the formats in
    scorecard/formats/, as templates show `{{ day|date }}`. For text written in Python
    (messages, notifications); an en dash when there is no date."""
    if day is None:
        return NO_NUMBER
    return formats.date_format(day)
