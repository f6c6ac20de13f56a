"""Encrypting and decrypting field values, and masking them for display."""

from __future__ import annotations

from collections.abc import Callable

from cryptography.fernet import InvalidToken, MultiFernet

MASK = "••••"


class VaultError(RuntimeError):
    """A stored value cannot be decrypted with any configured key."""


class Vault:
    """The keys of one process. If decryption fails the keys are reloaded once, so a server keeps
    working after `quantflow vault rotate` put a new key in the key file."""

    def __init__(self, load: Callable[[], MultiFernet]) -> None:
        self._load = load
        self._keys = load()

    def encrypt(self, plain: str) -> str:
        return self._keys.encrypt(plain.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._keys.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            self._keys = self._load()
        try:
            return self._keys.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise VaultError("a stored credential cannot be decrypted with the configured vault keys") from None

    def rotate(self, token: str) -> str:
        """The same value encrypted with the newest key."""
        try:
            return self._keys.rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken:
            raise VaultError("a stored credential cannot be decrypted with the configured vault keys") from None


def mask(plain: str) -> str:
    """Only the last 4 characters, and only of values long enough that 4 give little away."""
    return MASK + plain[-4:] if len(plain) >= 16 else MASK
