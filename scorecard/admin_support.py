"""What every app's admin shares: writes that go through the services, as the pages' and the
API's do, and models that the admin only shows, with the reason on their pages.

Django's admin saves a form with the model's `save()`, which skips all that the services do:
the rules that live there, the recompute of the scores, the quarter lock. A `ServiceAdmin`
calls its service instead, as the form's last check: the admin shows a refusal beside the
fields only while it checks the form, so the service's ValidationError becomes the form's
errors and nothing is saved. The change page runs in one transaction; if anything else on it
is refused after the service saved (an inline row), the admin shows the page again and the
whole transaction is rolled back.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse


class ServiceForm(forms.ModelForm):
    """A model form whose last check is its admin's service call (see the module's text)."""

    service_admin: "ServiceAdmin"
    service_request: HttpRequest

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound or self.errors:
            return
        try:
            with transaction.atomic():
                saved = self.service_admin.save_with_service(self.service_request, self)
        except ValidationError as error:
            add_service_errors(self, error)
            return
        self._become(saved)

    def _become(self, saved: Model) -> None:
        # The admin built the inline formsets and will log the change around this form's
        # instance: it becomes the row the service saved.
        self.instance.pk = saved.pk
        self.instance._state.adding = False
        self.instance._state.db = saved._state.db
        self.instance.refresh_from_db()

    def save_m2m(self) -> None:
        """The admin calls this after saving; the service saved the relations already."""


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's refusal beside the fields it names; the rest at the top of the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, field_messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_messages)


class ServiceAdmin(admin.ModelAdmin):
    """An admin whose writes go through the services. A subclass says how, with the
    cleaned form data: `create_with_service`, `update_with_service` (with the stored row) and
    `delete_with_service`."""

    form = ServiceForm
    # A bulk delete would delete row by row, past the checks that refuse one.
    actions = None

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"service_admin": self, "service_request": request})

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        with transaction.atomic(using=router.db_for_write(self.model)):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if (getattr(response, "context_data", None) or {}).get("errors"):
                # Shown again with errors (say, of an inline row) after the service saved:
                # nothing of the page is kept.
                transaction.set_rollback(True)
        return response

    def save_with_service(self, request: HttpRequest, form: forms.ModelForm) -> Model:
        data = dict(form.cleaned_data)
        if form.instance._state.adding:
            return self.create_with_service(request, data)
        # Every field, not only those changed from what the page showed: a history page's
        # revert shows the old version, and the services compare with the stored row.
        stored = self.model._default_manager.get(pk=form.instance.pk)
        return self.update_with_service(request, stored, data)

    def create_with_service(self, request: HttpRequest, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def update_with_service(self, request: HttpRequest, stored: Any, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        raise NotImplementedError

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        return form.instance

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """The service saved it while the form was checked."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete_with_service(request, obj)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:
            # Raised inside the delete's transaction, which is rolled back: nothing deleted.
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            opts = self.model._meta
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id])
            return HttpResponseRedirect(change)


class ShownOnlyAdmin(admin.ModelAdmin):
    """A model the admin shows but never writes; `shown_only_because` says where it is
    written instead, on its list and on each row's page."""

    shown_only_because = ""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        self._say_why(request)
        return super().changelist_view(request, extra_context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        self._say_why(request)
        return super().change_view(request, object_id, form_url, extra_context)

    def _say_why(self, request: HttpRequest) -> None:
        if request.method == "GET":
            self.message_user(request, self.shown_only_because, messages.INFO)
