"""The demo organization, Northwind Group: `manage.py seed_demo` builds it (DESIGN.md §9).

An app of its own, above `reviews`: it writes to every layer through their services, and no
other app imports it. The company is data, in `catalogue/*.yaml`, which `loader` reads into
the dataclasses of `specs`; `series` makes its numbers (pure), `build` writes it all (with
`organization`, `history` and `follow_up`), `logins` lists the accounts.

This module stays empty: Django imports it while it loads the apps, before models can be.
"""
