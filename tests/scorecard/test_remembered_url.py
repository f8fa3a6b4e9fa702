"""`{% url %}` remembers what it reversed (scorecard/templatetags/remembered_url.py) and
answers exactly what Django's own tag answers."""

import pytest
from django.template import engines
from django.test import override_settings
from django.urls import NoReverseMatch, reverse
from django.utils.functional import lazy

from scorecard.templatetags import remembered_url


def rendered(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


@pytest.fixture(autouse=True)
def nothing_remembered():
    remembered_url._reversed.cache_clear()


def test_it_answers_what_reverse_answers_and_looks_up_once():
    source = "{% url 'kpis:explanation' slug 'kpi' pk %}|{% url 'scorecard:scorecard' slug=slug %}"

    first = rendered(source, slug="north-sales", pk=12)
    again = rendered(source, slug="north-sales", pk=12)

    expected = (
        reverse("kpis:explanation", args=["north-sales", "kpi", 12])
        + "|"
        + reverse("scorecard:scorecard", kwargs={"slug": "north-sales"})
    )
    assert first == again == expected
    info = remembered_url._reversed.cache_info()
    assert (info.misses, info.hits) == (2, 2)


def test_a_url_with_other_arguments_is_a_different_url():
    source = "{% url 'scorecard:scorecard' slug %}"
    assert rendered(source, slug="north") != rendered(source, slug="south")


def test_it_escapes_and_stores_as_django_does():
    assert rendered("{% url 'scorecard:scorecard' 'a-b' as link %}[{{ link }}]") == (
        f"[{reverse('scorecard:scorecard', args=['a-b'])}]"
    )
    # No such view: an error, unless the URL goes to a variable, which is then empty.
    with pytest.raises(NoReverseMatch):
        rendered("{% url 'scorecard:no_such_page' %}")
    assert rendered("{% url 'scorecard:no_such_page' as link %}[{{ link }}]") == "[]"


def test_arguments_other_than_text_and_numbers_are_not_remembered():
    text = lazy(lambda: "north", str)()

    assert rendered("{% url 'scorecard:scorecard' slug %}", slug=text) == reverse(
        "scorecard:scorecard", args=["north"]
    )
    # A bool would share its key with 1.
    assert rendered("{% url 'scorecard:scorecard' slug %}", slug=True).endswith("/True/")
    assert remembered_url._reversed.cache_info().currsize == 0


def test_a_new_urlconf_forgets_what_was_remembered():
    rendered("{% url 'scorecard:home' %}")
    assert remembered_url._reversed.cache_info().currsize == 1

    with override_settings(ROOT_URLCONF="tests.scorecard.error_urls"):
        assert remembered_url._reversed.cache_info().currsize == 0
