"""`{% url %}` with a memory: Django's own tag, which remembers the URLs it reversed.

A page links the same few views with a few arguments over and over: a scorecard page reverses
about 120 URLs, some 4 ms of its CPU. A URL depends only on the view's name, its arguments,
the URLconf and the script prefix (and the current application, for namespaces), so it is
looked up once per process for each of those. Installed as a builtin (settings.TEMPLATES),
so every template's `{% url %}` is this one; arguments other than text and whole numbers
(a lazy string, a model) go to Django's reverse unremembered."""

import functools

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaulttags
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

register = template.Library()

REMEMBERED_URLS = 8192
# Text (a literal in the template is a SafeString) and whole numbers, exactly: not a bool,
# which would share a key with 1, nor a lazy string or a model, which reverse() turns to text.
PLAIN = (str, SafeString, int)


@functools.lru_cache(maxsize=REMEMBERED_URLS)
def _reversed(urlconf, prefix, view_name, args, kwargs, current_app) -> str:
    # urlconf and prefix are part of the key only: reverse() reads them itself.
    return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)


@receiver(setting_changed)
def _forget_on_new_urlconf(*, setting, **_kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _reversed.cache_clear()


class RememberedURLNode(defaulttags.URLNode):
    def render(self, context):
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple((name, value.resolve(context)) for name, value in self.kwargs.items())
        if not all(type(value) in PLAIN for value in (*args, *(v for _, v in kwargs))):
            return super().render(context)
        view_name = self.view_name.resolve(context)
        if type(view_name) not in PLAIN:
            return super().render(context)
        try:
            url = _reversed(
                get_urlconf(), get_script_prefix(), view_name, args, kwargs, _current_app(context)
            )
        except NoReverseMatch:
            if self.asvar is None:
                raise
            url = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


def _current_app(context) -> str | None:
    """As Django's tag finds it."""
    request = getattr(context, "request", None)
    if request is None:
        return None
    if hasattr(request, "current_app"):
        return request.current_app
    match = getattr(request, "resolver_match", None)
    return match.namespace if match is not None else None


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    return RememberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
