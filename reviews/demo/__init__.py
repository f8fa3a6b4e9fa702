"""The demo organization, Northwind Group: `manage.py seed_demo` builds it (DESIGN.md §9).

It lives in `reviews`, the top app, because it writes to every layer below through their
services. `specs` and the `catalog*` modules describe the company, `series` makes its
numbers (both pure), `build` writes it all, `logins` lists the accounts.
"""

from reviews.demo.build import (
    DEMO_PASSWORD,
    DemoConflict,
    DemoSummary,
    demo_organization_build,
    demo_organization_exists,
)
from reviews.demo.logins import Login, demo_logins

__all__ = [
    "DEMO_PASSWORD",
    "DemoConflict",
    "DemoSummary",
    "Login",
    "demo_logins",
    "demo_organization_build",
    "demo_organization_exists",
]
