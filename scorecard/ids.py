"""The largest id anyone may name in a form, a query string, an API body or a spreadsheet: the
top of a bigint primary key. A larger number is refused as input (it names nothing) before
the database sees it, where it would overflow the column's type."""

BIGGEST_ID = 2**63 - 1
