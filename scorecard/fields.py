"""Free text a person writes — comments, notes, descriptions, reasons — with a maximum length
that is a setting: SIGHTLINE_COMMENT_MAX_LENGTH for comments and reasons,
SIGHTLINE_NOTE_MAX_LENGTH for notes and descriptions.

The limit is a validator of the model field, so every write path refuses a longer text with
the same field error: the services' `full_clean()` (pages, API, imports, tasks), the admin's
model forms, and DRF's model serializers, which copy the field's validators (and show the
limit in the schema as maxLength). The columns stay `text`: the limit lives in settings, not
in the database, so these fields describe themselves to migrations as plain TextFields and
changing a limit needs no migration."""

from typing import Any

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models


def comment_max_length() -> int:
    return settings.SIGHTLINE_COMMENT_MAX_LENGTH


def note_max_length() -> int:
    return settings.SIGHTLINE_NOTE_MAX_LENGTH


class _WrittenText(models.TextField):
    max_length_of: Any  # the function that reads the kind's setting

    @property
    def default_validators(self) -> list:  # type: ignore[override]
        return [MaxLengthValidator(type(self).max_length_of)]

    def formfield(self, **kwargs: Any) -> Any:
        # A form field with the limit also tells the browser (the textarea's maxlength).
        return super().formfield(**{"max_length": type(self).max_length_of(), **kwargs})

    def deconstruct(self) -> Any:
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs


class CommentField(_WrittenText):
    """A comment, a note on a link, a reason: at most SIGHTLINE_COMMENT_MAX_LENGTH."""

    max_length_of = staticmethod(comment_max_length)


class NoteField(_WrittenText):
    """A description, a progress note, a review's summary: at most
    SIGHTLINE_NOTE_MAX_LENGTH."""

    max_length_of = staticmethod(note_max_length)
