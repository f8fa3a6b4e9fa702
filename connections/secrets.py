"""Connection secrets, encrypted at rest with the keys of SIGHTLINE_CONNECTION_KEYS.

MultiFernet lets keys rotate: the first key encrypts, every key decrypts, so a new key goes
first and the old ones stay until every secret was saved again. Without any key set, one key
is derived from SECRET_KEY (so a fresh clone runs); production sets its own keys."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

NO_KEY_OPENS = (
    "The connection's secret cannot be read with the keys this server has "
    "(SIGHTLINE_CONNECTION_KEYS): an administrator must enter the secret again, or restore the "
    "key it was saved with."
)
BAD_KEY = "SIGHTLINE_CONNECTION_KEYS holds a key that is not a Fernet key: {problem}."


class SecretUnreadable(Exception):
    """No key of this server decrypts the stored secret."""

    def __init__(self) -> None:
        super().__init__(NO_KEY_OPENS)


def _keys() -> MultiFernet:
    raw = list(settings.SIGHTLINE_CONNECTION_KEYS)
    if not raw:
        digest = hashlib.sha256(f"sightline-connections:{settings.SECRET_KEY}".encode()).digest()
        raw = [base64.urlsafe_b64encode(digest).decode()]
    try:
        return MultiFernet([Fernet(key) for key in raw])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(BAD_KEY.format(problem=error)) from None


def encrypt(secret: str) -> str:
    return "" if not secret else _keys().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _keys().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable() from None
