"""Authenticated encryption of secrets at rest (provider keys, invitation tokens).

The keys come from QUARRY_ENCRYPTION_KEYS, never from SECRET_KEY: the first key encrypts, every key
decrypts, so an operator rotates by putting a new key first and running
`manage.py rotate_encryption_keys`. A token that no configured key can open raises; we never hand
back ciphertext as if it were the secret.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretDecryptionError(Exception):
    """No key in QUARRY_ENCRYPTION_KEYS opens this token (wrong or removed key, or tampering)."""


@lru_cache(maxsize=4)
def _fernet(keys):
    return MultiFernet([Fernet(key) for key in keys])


def _current():
    return _fernet(tuple(settings.QUARRY_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return _current().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretDecryptionError(
            "A stored secret cannot be decrypted with QUARRY_ENCRYPTION_KEYS: "
            "the key that encrypted it is missing, or the value was altered."
        ) from None


def rotate(token: str) -> str:
    """Re-encrypt a token under the first (newest) key."""
    try:
        return _current().rotate(token.encode()).decode()
    except InvalidToken:
        raise SecretDecryptionError(
            "A stored secret cannot be rotated: no configured key opens it."
        ) from None


class Secret:
    """A decrypted-on-demand secret that never prints itself.

    str(), repr() and templates only ever see a mask, so a secret cannot leak into HTML, logs or
    error reports by accident; `reveal()` is the one way to read it.
    """

    __slots__ = ("_token", "_plaintext")

    def __init__(self, *, token=None, plaintext=None):
        self._token = token
        self._plaintext = plaintext

    def reveal(self) -> str:
        if self._plaintext is None:
            self._plaintext = decrypt(self._token)
        return self._plaintext

    def token(self) -> str:
        if self._token is None:
            self._token = encrypt(self._plaintext)
        return self._token

    def __str__(self):
        return "••••"

    def __repr__(self):
        return "<Secret ••••>"
