"""Numbers as the services take them: what a person typed, or what an API or a file sent."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

NOT_A_NUMBER = "Enter a number, like 1234.5."


def as_decimal(value, *, field: str = "value") -> Decimal:
    """A finite Decimal, or a ValidationError on `field` with a message a person can act on."""
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise ValidationError({field: NOT_A_NUMBER}) from None
    if not number.is_finite():
        raise ValidationError({field: NOT_A_NUMBER})
    return number
