"""Encryption at rest for sensitive personal data (PIPL), and keyed hashes for exact lookup.

AES-256-GCM with a random nonce per value; the stored text is "v1:" + url-safe base64 of
nonce + ciphertext. The lookup hash is HMAC-SHA256 under a key derived from the same secret, so
equal values can be found and de-duplicated without decrypting anything.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "v1:"


@lru_cache(maxsize=4)
def _keys(master: bytes) -> tuple[bytes, bytes]:
    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=SHA256(), length=32, salt=None, info=info).derive(master)

    return derive(b"linli-field-encryption"), derive(b"linli-lookup-hash")


def _enc_key() -> bytes:
    return _keys(settings.LINLI_DATA_KEY)[0]


def _hash_key() -> bytes:
    return _keys(settings.LINLI_DATA_KEY)[1]


def encrypt(plaintext: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_enc_key()).encrypt(nonce, plaintext.encode("utf-8"), None)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt(token: str) -> str:
    if not token.startswith(PREFIX):
        raise ValueError("not an encrypted value")
    raw = base64.urlsafe_b64decode(token[len(PREFIX):].encode("ascii"))
    return AESGCM(_enc_key()).decrypt(raw[:12], raw[12:], None).decode("utf-8")


def lookup_hash(value: str) -> str:
    normalised = value.strip().upper()
    return hmac.new(_hash_key(), normalised.encode("utf-8"), hashlib.sha256).hexdigest()


def encrypt_bytes(data: bytes) -> bytes:
    """Bytes sealed like `encrypt` (a random nonce, then AES-GCM), for files kept a while at rest."""
    nonce = os.urandom(12)
    return nonce + AESGCM(_enc_key()).encrypt(nonce, data, None)


def decrypt_bytes(sealed: bytes) -> bytes:
    sealed = bytes(sealed)
    return AESGCM(_enc_key()).decrypt(sealed[:12], sealed[12:], None)
