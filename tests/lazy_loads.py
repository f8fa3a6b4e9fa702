"""Make every lazy load of a related row fail, for tests that prove a selector or a page reads
what it shows up front (a forgotten select_related or prefetch_related fails loudly, at the
line that would have run one query per row).

Django 6.1's fetch modes decide what touching an unloaded relation or deferred field does;
FETCH_RAISE raises FieldFetchBlocked. There is no setting for the default mode: each
QuerySet takes `django.db.models.query.DEFAULT_FETCH_MODE` when it is created, and the rows
it yields pass their mode on to the related rows and related managers reached from them.
So patching that one name makes every queryset created inside the block, the selectors'
and the framework's alike, FETCH_RAISE; rows loaded before the block keep their mode, so a
test loads the selector's arguments inside it too.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.db import models
from django.db.models import query


@contextmanager
def lazy_loads_raise() -> Iterator[None]:
    with mock.patch.object(query, "DEFAULT_FETCH_MODE", models.FETCH_RAISE):
        yield
