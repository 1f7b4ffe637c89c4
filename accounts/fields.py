from django.db import models
from django.db.models.query_utils import DeferredAttribute

from accounts.crypto import Secret, encrypt


class SecretAttribute(DeferredAttribute):
    """Wraps a plain string assigned to the field in a Secret at once, so an unsaved or just-saved
    instance behaves like one loaded from the database (and never prints the plaintext)."""

    def __set__(self, instance, value):
        if isinstance(value, str):
            value = Secret(plaintext=value) if value else None
        instance.__dict__[self.field.attname] = value


class EncryptedSecretField(models.TextField):
    """A TextField holding a Fernet token; Python code sees a `Secret`, the database only ciphertext."""

    descriptor_class = SecretAttribute

    def from_db_value(self, value, expression, connection):
        return None if value is None else Secret(token=value)

    def to_python(self, value):
        if value is None or isinstance(value, Secret):
            return value
        return Secret(plaintext=value)

    def get_prep_value(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, Secret):
            return value.token()
        return encrypt(str(value))

    def value_to_string(self, obj):
        # Serialisation (dumpdata) carries the ciphertext, never the plaintext.
        value = self.value_from_object(obj)
        return None if value is None else value.token()
