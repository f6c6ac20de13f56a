"""Where the vault's Fernet keys come from: QUANTFLOW_VAULT_KEYS (comma-separated, newest first),
else a key file in the data directory, generated 0600 on first use (one key per line, newest first).

The newest key encrypts; every key decrypts (MultiFernet), so rotation is: put a new key first,
re-encrypt everything (`quantflow vault rotate`), then drop the old keys.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, MultiFernet

from quantflow_server.settings import Settings

KEY_FILE = "vault.keys"


class VaultKeyError(RuntimeError):
    """The configured keys are unusable (the message never contains a key)."""


def key_file(settings: Settings) -> Path:
    return settings.ensure_data_dir() / KEY_FILE


def _parse(keys: list[str], where: str) -> list[Fernet]:
    fernets = []
    for index, key in enumerate(k.strip() for k in keys):
        if not key:
            continue
        try:
            fernets.append(Fernet(key.encode("ascii")))
        except (ValueError, UnicodeEncodeError):
            raise VaultKeyError(f"vault key #{index + 1} in {where} is not a Fernet key") from None
    if not fernets:
        raise VaultKeyError(f"{where} holds no vault key")
    return fernets


def _read_or_create(path: Path) -> list[str]:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").splitlines()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(Fernet.generate_key().decode("ascii") + "\n")
    return path.read_text(encoding="ascii").splitlines()


def load_keys(settings: Settings) -> MultiFernet:
    if settings.vault_keys is not None:
        return MultiFernet(_parse(settings.vault_keys.get_secret_value().split(","), "QUANTFLOW_VAULT_KEYS"))
    path = key_file(settings)
    return MultiFernet(_parse(_read_or_create(path), str(path)))


def prepend_new_key(settings: Settings) -> None:
    """Put a fresh key first in the key file (rewritten atomically, still 0600)."""
    if settings.vault_keys is not None:
        raise VaultKeyError("the keys come from QUANTFLOW_VAULT_KEYS: put a new key first there instead")
    path = key_file(settings)
    existing = [k for k in _read_or_create(path) if k.strip()]
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write("\n".join([Fernet.generate_key().decode("ascii"), *existing]) + "\n")
    os.replace(temporary, path)
