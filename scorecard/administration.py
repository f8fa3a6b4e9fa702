"""The settings pages (/settings/): units, people and their roles, perspectives and the
organization settings, for administrators (`scorecard.administer`).

Every write calls the service the API calls for the same change (scorecard.services), so the
pages and the API obey the same rules; a refusal is shown beside its field and saves nothing.
After a write the page redirects to itself (a reload sends nothing twice), except the
perspectives' up and down buttons, which answer htmx with the list they changed."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from scorecard import selectors, services
from scorecard.admin_support import add_service_errors
from scorecard.forms import (
    OrganizationSettingsForm,
    PersonInviteForm,
    PersonRoleForm,
    PerspectiveForm,
    UnitNameForm,
    UnitNewForm,
    UnitParentForm,
    UnitRoleForm,
)
from scorecard.models import Membership, OrganizationSettings, OrgUnit, Perspective
from scorecard.page_support import HtmxHttpRequest, object_or_refuse
from scorecard.rules import may

ADMINISTER = "scorecard.administer"
ADMINS_ONLY = "Only the organization's administrators keep its settings."


def _require_administrator(request: HttpRequest) -> None:
    if not may(request.user, ADMINISTER, None):
        raise PermissionDenied(ADMINS_ONLY)


def _saved[T](form: BaseForm, call: Callable[[], T]) -> T | None:
    """What the service call returns, or None when it refused: the refusal is then beside
    the fields it names, and nothing was saved."""
    try:
        return call()
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def _sent(request: HttpRequest) -> QueryDict | None:
    """The form's data on a POST, even an empty one (which is answered with its errors)."""
    return request.POST if request.method == "POST" else None


@require_GET
@login_required
def settings_index(request: HttpRequest) -> HttpResponse:
    _require_administrator(request)
    return render(request, "administration/index.html")


# Units -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    _require_administrator(request)
    form = UnitNewForm(_sent(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = _saved(form, lambda: services.org_unit_create(**data))
        if unit is not None:
            messages.success(request, f"Unit “{unit.name}” added.")
            return redirect("scorecard:settings_unit", slug=unit.slug)
    context = {"units": selectors.units_in_tree_order(), "form": form}
    return render(request, "administration/units.html", context)


UNIT_FORMS = {"rename": UnitNameForm, "move": UnitParentForm, "role": UnitRoleForm}


@require_http_methods(["GET", "POST"])
@login_required
def unit_settings(request: HttpRequest, slug: str) -> HttpResponse:
    _require_administrator(request)
    unit = object_or_refuse(request, OrgUnit.objects.all(), ADMINISTER, slug=slug)
    forms = {
        "rename": UnitNameForm(initial={"name": unit.name, "kind": unit.kind}),
        "move": UnitParentForm(unit=unit),
        "role": UnitRoleForm(),
    }
    sent = request.POST.get("form", "")
    if request.method == "POST" and sent in UNIT_FORMS:
        extra = {"unit": unit} if sent == "move" else {}
        forms[sent] = form = UNIT_FORMS[sent](request.POST, **extra)
        done = None
        if form.is_valid():
            done = _saved(form, lambda: _unit_write(unit, sent, form.cleaned_data))
        if done is not None:
            messages.success(request, UNIT_DONE[sent])
            return redirect("scorecard:settings_unit", slug=OrgUnit.objects.get(pk=unit.pk).slug)
    context = {
        "unit": unit,
        "forms": forms,
        "roles": selectors.roles_on_unit(unit),
        "ancestors": unit.get_ancestors(),
    }
    return render(request, "administration/unit.html", context)


UNIT_DONE = {"rename": "Unit saved.", "move": "Unit moved.", "role": "Role given."}


def _unit_write(unit: OrgUnit, sent: str, data: dict) -> Model:
    if sent == "rename":
        return services.org_unit_update(unit=unit, name=data["name"], kind=data["kind"])
    if sent == "move":
        return services.org_unit_move(unit=unit, parent=data["parent"])
    return services.membership_grant(user=data["user"], org_unit=unit, role=data["role"])


@require_POST
@login_required
def membership_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a role away; back to the page it was taken from (the unit's or the person's)."""
    _require_administrator(request)
    queryset = Membership.objects.select_related("org_unit", "user")
    membership = object_or_refuse(request, queryset, ADMINISTER, pk=pk)
    services.membership_revoke(membership=membership)
    messages.success(request, "Role taken away.")
    if request.POST.get("back") == "person":
        return redirect("scorecard:person_roles", pk=membership.user_id)
    return redirect("scorecard:settings_unit", slug=membership.org_unit.slug)


# People ------------------------------------------------------------------------------------

INVITED = "{name} is invited: the link to set a password went to {email}."


@require_http_methods(["GET", "POST"])
@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    _require_administrator(request)
    form = PersonInviteForm(_sent(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = _saved(form, lambda: services.person_invite(**data))
        if person is not None:
            messages.success(
                request, INVITED.format(name=person.get_full_name(), email=person.email)
            )
            return redirect("scorecard:person_roles", pk=person.pk)
    context = {"people": selectors.people_with_roles(), "form": form}
    return render(request, "administration/people.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def person_roles(request: HttpRequest, pk: int) -> HttpResponse:
    _require_administrator(request)
    person = object_or_refuse(request, get_user_model().objects.all(), ADMINISTER, pk=pk)
    form = PersonRoleForm(_sent(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _saved(form, lambda: services.membership_grant(user=person, **data)):
            messages.success(request, "Role given.")
            return redirect("scorecard:person_roles", pk=person.pk)
    context = {"person": person, "form": form, "roles": selectors.roles_of_person(person)}
    return render(request, "administration/person.html", context)


# Perspectives ------------------------------------------------------------------------------


def _perspectives_page(
    request: HtmxHttpRequest, *, new: PerspectiveForm | None = None, edited: tuple | None = None
) -> HttpResponse:
    """The list as the strategy map stacks it (top of the map first), each with its form;
    `edited` is (perspective id, the bound form refused) to show beside that row."""
    perspectives = list(Perspective.objects.order_by("-order"))
    rows = []
    for perspective in perspectives:
        form = PerspectiveForm(
            prefix=f"p{perspective.pk}",
            initial={
                "name": perspective.name,
                "color": perspective.color,
                "description": perspective.description,
            },
        )
        if edited and edited[0] == perspective.pk:
            form = edited[1]
        rows.append((perspective, form))
    context = {"rows": rows, "new": new or PerspectiveForm(prefix="new")}
    template = "administration/perspectives.html"
    return render(request, f"{template}#perspective-table" if request.htmx else template, context)


@require_http_methods(["GET", "POST"])
@login_required
def perspective_list(request: HtmxHttpRequest) -> HttpResponse:
    """The perspectives; a POST adds one."""
    _require_administrator(request)
    if request.method != "POST":
        return _perspectives_page(request)
    form = PerspectiveForm(request.POST, prefix="new")
    if form.is_valid():
        data = form.cleaned_data
        if _saved(form, lambda: services.perspective_create(**data)):
            messages.success(request, f"Perspective “{data['name']}” added at the top of the map.")
            return redirect("scorecard:perspective_list")
    return _perspectives_page(request, new=form)


@require_POST
@login_required
def perspective_settings(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Rename, recolour or describe one perspective."""
    _require_administrator(request)
    perspective = object_or_refuse(request, Perspective.objects.all(), ADMINISTER, pk=pk)
    form = PerspectiveForm(request.POST, prefix=f"p{perspective.pk}")
    if form.is_valid():
        data = form.cleaned_data
        if _saved(form, lambda: services.perspective_update(perspective=perspective, **data)):
            messages.success(request, f"Perspective “{perspective.name}” saved.")
            return redirect("scorecard:perspective_list")
    return _perspectives_page(request, edited=(perspective.pk, form))


@require_POST
@login_required
def perspective_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Archive it (`archived=1`) or bring it back (anything else)."""
    _require_administrator(request)
    perspective = object_or_refuse(request, Perspective.objects.all(), ADMINISTER, pk=pk)
    archived = request.POST.get("archived") == "1"
    services.perspective_archive(perspective=perspective, archived=archived)
    verb = "archived" if archived else "brought back"
    messages.success(request, f"Perspective “{perspective.name}” {verb}.")
    return redirect("scorecard:perspective_list")


@require_POST
@login_required
def perspective_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One place up (towards the top of the map) or down, through the reorder service the
    API's /api/perspectives/reorder/ calls, with every perspective in its new order."""
    _require_administrator(request)
    perspective = object_or_refuse(request, Perspective.objects.all(), ADMINISTER, pk=pk)
    ids = list(Perspective.objects.order_by("order").values_list("pk", flat=True))
    place = ids.index(perspective.pk)
    other = place + 1 if request.POST.get("direction") == "up" else place - 1
    if 0 <= other < len(ids):
        ids[place], ids[other] = ids[other], ids[place]
        try:
            services.perspectives_reorder(ids=ids)
        except ValidationError as error:
            # Another administrator added one between the read and the lock: say so.
            messages.error(request, " ".join(error.messages))
    if request.htmx:
        return _perspectives_page(request)
    return redirect(reverse("scorecard:perspective_list") + f"#perspective-{perspective.pk}")


# Organization settings ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def organization_settings(request: HttpRequest) -> HttpResponse:
    _require_administrator(request)
    stored = OrganizationSettings.objects.filter(pk=1).first() or OrganizationSettings(pk=1)
    form = OrganizationSettingsForm.of(stored)
    if request.method == "POST":
        form = OrganizationSettingsForm(request.POST)
        saved = None
        if form.is_valid():
            saved = _saved(form, lambda: services.organization_settings_update(**form.cleaned_data))
        if saved is not None:
            messages.success(request, "Settings saved.")
            return redirect("scorecard:organization_settings")
    return render(request, "administration/organization.html", {"form": form})
