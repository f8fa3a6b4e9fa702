"""`field__any=[...]`: the column equals a value of one array parameter (PostgreSQL).

`field__in=ids` renders one statement parameter a value. A recompute of a large chunk reads
by thousands of KPI ids, and building that statement in Django and parsing it again in the
database driver cost more than running it (issue 18, profiled: 11 of 43 seconds of a full
recompute). `= ANY(%s)` carries the list as one array, which PostgreSQL plans as it plans
`IN`: the same indexes."""

from django.db.models import Field, ForeignObject, Lookup


class AnyOf(Lookup):
    lookup_name = "any"
    # The list goes to the driver as it is (an array), not through the field's conversion.
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # Cast to the column's type: the driver sends small integers as a smallint array,
        # and a bigint column compared with one is no condition of its index.
        column_type = self.lhs.output_field.db_type(connection)
        return f"{lhs} = ANY(%s::{column_type}[])", [*lhs_params, list(self.rhs)]


Field.register_lookup(AnyOf)
# A relation looks up only what is registered on the relation classes themselves.
ForeignObject.register_lookup(AnyOf)
