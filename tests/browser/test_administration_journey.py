"""The demo administrator sets the organization up in the app (issue 17 part 6): adds a
unit under Sales and gives it a manager, invites a person, and renames and reorders a
perspective (the reorder swaps the list in place with htmx)."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import expect

from scorecard.models import Membership, OrgUnit, Perspective

pytestmark = pytest.mark.browser


def names_top_first() -> list[str]:
    return list(Perspective.objects.order_by("-order").values_list("name", flat=True))


def test_the_administrator_adds_a_unit_invites_a_person_and_reorders_perspectives(
    demo, page, live_server, sign_in
):
    sales = OrgUnit.objects.get(slug="sales")
    daniel = get_user_model().objects.get(username="daniel")
    sign_in("admin")
    main = page.locator("#main")  # the top bar has links of the same names

    page.goto(f"{live_server.url}/settings/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")

    # A new unit, last under Sales, and a manager for it.
    main.get_by_role("link", name="Units", exact=True).click()
    expect(page.locator("#unit-tree")).to_contain_text("Sales")
    page.get_by_label("Name").fill("Key Accounts")
    page.get_by_label("Kind").select_option("team")
    page.get_by_label("Parent").select_option(str(sales.pk))
    page.get_by_role("button", name="Add unit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Key Accounts")
    expect(page.locator(".messages")).to_contain_text("Unit “Key Accounts” added.")
    unit = OrgUnit.objects.get(name="Key Accounts")
    assert OrgUnit.objects.get_parent(unit) == sales

    page.get_by_label("Person").select_option(str(daniel.pk))
    page.get_by_label("Role").select_option("manager")
    page.get_by_role("button", name="Give role").click()
    expect(page.locator("#unit-roles")).to_contain_text("Daniel Okafor")
    assert Membership.objects.filter(user=daniel, org_unit=unit, role="manager").exists()

    # An invitation: a taken address is refused beside its field, a new one is mailed.
    main.get_by_role("link", name="Settings").click()
    main.get_by_role("link", name="People", exact=True).click()
    expect(page.locator("#people")).to_contain_text("Daniel Okafor")
    page.get_by_label("Name").fill("Ada Lovelace")
    page.get_by_label("E-mail address").fill("DANIEL@northwind.example")
    page.get_by_role("button", name="Invite").click()
    expect(page.locator("#person-invite [role=alert]")).to_contain_text(
        "Someone already has this e-mail address."
    )
    assert not get_user_model().objects.filter(first_name="Ada").exists()
    page.get_by_label("E-mail address").fill("ada.lovelace@example.com")
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Lovelace")
    expect(page.locator(".messages")).to_contain_text("ada.lovelace@example.com")
    ada = get_user_model().objects.get(email="ada.lovelace@example.com")
    assert not ada.has_usable_password()
    assert [message.to for message in mail.outbox] == [["ada.lovelace@example.com"]]

    # Rename the second perspective from the top, then move it up: the list is swapped in
    # place (htmx) and the order is stored.
    before = names_top_first()
    second = Perspective.objects.get(name=before[1])
    main.get_by_role("link", name="Settings").click()
    main.get_by_role("link", name="Perspectives", exact=True).click()
    row = page.locator(f"#perspective-{second.pk}")
    row.get_by_label("Name").fill("Customers and citizens")
    row.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Perspective “Customers and citizens” saved.")
    assert names_top_first()[1] == "Customers and citizens"

    page.get_by_role("button", name="Move Customers and citizens up").click()
    expect(page.locator("#perspective-table > li").first).to_contain_text("Customers and citizens")
    expect(page.locator(".messages")).to_have_count(1)  # the rename's, not a new page
    assert names_top_first()[:2] == ["Customers and citizens", before[0]]

    # Without a click the new order holds on a reload too.
    page.reload()
    expect(page.locator("#perspective-table > li").first).to_contain_text("Customers and citizens")

    # Every settings page's content fits a phone at 390 px (the top bar is the layout's, being
    # reworked to wrap with the navigation: measured is what these pages put in <main>).
    page.set_viewport_size({"width": 390, "height": 844})
    for path in [
        "/settings/",
        "/settings/units/",
        f"/settings/units/{unit.slug}/",
        "/settings/people/",
        f"/settings/people/{ada.pk}/",
        "/settings/perspectives/",
        "/settings/organization/",
    ]:
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.getElementById('main').scrollWidth")
        assert width <= 390, (path, width)
