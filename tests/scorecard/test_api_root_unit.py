"""The root of the organization tree: only an administrator creates it, in an empty tree."""

from rest_framework.test import APIClient

from scorecard.api_support import REFUSED
from scorecard.models import OrgUnit
from tests.factories import UserFactory


def test_it_lets_only_the_admin_create_the_root_unit(db):
    # No org fixture here: the tree must be empty for a root to be creatable at all.
    someone = _client(UserFactory(username="someone"))
    admin = _client(UserFactory(username="admin", is_superuser=True))

    refused = someone.post("/api/org-units/", {"name": "Acme", "kind": "enterprise"}, format="json")
    created = admin.post(
        "/api/org-units/", {"name": "Acme", "kind": "enterprise", "parent": None}, format="json"
    )

    assert refused.status_code == 403
    assert refused.json() == {"detail": REFUSED}
    assert created.status_code == 201, created.json()
    assert created.json()["parent"] is None
    assert list(OrgUnit.objects.values_list("name", flat=True)) == ["Acme"]


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client
