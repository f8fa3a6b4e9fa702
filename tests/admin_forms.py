"""Driving the Django admin's change pages as a person does: open the page, keep what its
form shows, change some fields, post it back."""

from typing import Any

from django.urls import reverse


def change_url(model: Any, pk: Any = None) -> str:
    """The admin's add page of the model (pk None), or the change page of one row."""
    opts = model._meta
    if pk is None:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])


def shown_form(response: Any) -> dict[str, Any]:
    """What the page's form and inline rows would post unchanged."""
    forms = [response.context["adminform"].form]
    # A history page's form has no inline rows.
    inlines = response.context.get("inline_admin_formsets", [])
    for inline in inlines:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data: dict[str, Any] = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            if value is True:
                data[field.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[field.html_name] = [str(item) for item in value]
            else:
                data[field.html_name] = str(value)
    return data


def post_change(client: Any, model: Any, pk: Any = None, **changes: Any) -> Any:
    """Open the add or change page, change the named fields, save."""
    url = change_url(model, pk)
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    data = shown_form(page) | {name: value for name, value in changes.items() if value is not None}
    for name in [name for name, value in changes.items() if value is None]:
        data.pop(name, None)
    return client.post(url, data | {"_save": "Save"})


def form_errors(response: Any) -> dict[str, list[str]]:
    """The refusals the page shows beside the form's fields ("__all__" at its top)."""
    assert response.status_code == 200, response.status_code
    form = response.context["adminform"].form
    return {name: list(messages) for name, messages in form.errors.items()}
