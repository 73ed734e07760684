from django.db import models

from linli.core import crypto


class EncryptedTextField(models.TextField):
    """Holds a str in Python and its AES-GCM ciphertext in the database column.

    Not searchable by value: pair it with a lookup-hash column (see crypto.lookup_hash).
    """

    description = "encrypted text"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))
