"""Credential storage rules: encryption on the way in, masking on the way out, ownership."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from litestar.exceptions import NotFoundException
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from quantflow_server.auth.principal import Principal
from quantflow_server.db.models import Credential
from quantflow_server.db.types import utcnow
from quantflow_server.errors import ProblemError
from quantflow_server.vault.crypto import Vault, mask
from quantflow_server.vault.schemas import CredentialCheck, CredentialCreate, CredentialOut, CredentialUpdate

SECRET_FIELDS = ("api_key", "secret", "token")


def _aware(when: datetime | None, field: str) -> datetime | None:
    if when is not None and when.tzinfo is None:
        raise ProblemError(422, f"{field} needs a time zone", errors=[{"field": field, "message": "naive datetime"}])
    return when


async def get(session: AsyncSession, me: Principal, credential_id: str) -> Credential:
    """The credential, or 404 — also for someone else's."""
    query = sa.select(Credential).where(Credential.id == credential_id)
    if not me.is_admin:
        query = query.where(Credential.owner_id == me.id)
    row = await session.scalar(query)
    if row is None:
        raise NotFoundException(f"no credential {credential_id!r}")
    return row


def out(vault: Vault, row: Credential, owner: str) -> CredentialOut:
    return CredentialOut(
        id=row.id,
        owner=owner,
        name=row.name,
        broker=row.broker,
        api_key=mask(vault.decrypt(row.api_key)),
        secret=mask(vault.decrypt(row.secret)),
        token=None if row.token is None else mask(vault.decrypt(row.token)),
        token_expires_at=row.token_expires_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _seal(vault: Vault, value: SecretStr | None) -> str | None:
    return None if value is None else vault.encrypt(value.get_secret_value())


async def create(session: AsyncSession, vault: Vault, me: Principal, data: CredentialCreate) -> Credential:
    now = utcnow()
    row = Credential(
        id=uuid.uuid4().hex,
        owner_id=me.id,
        name=data.name,
        broker=data.broker,
        api_key=vault.encrypt(data.api_key.get_secret_value()),
        secret=vault.encrypt(data.secret.get_secret_value()),
        token=_seal(vault, data.token),
        token_expires_at=_aware(data.token_expires_at, "token_expires_at"),
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    return row


def update(vault: Vault, row: Credential, data: CredentialUpdate) -> list[str]:
    """Apply the given fields; the names of those that changed (never their values)."""
    changed: list[str] = []
    for field in data.model_fields_set:
        value: Any = getattr(data, field)
        if field in SECRET_FIELDS:
            if value is None and field != "token":
                raise ProblemError(422, f"{field} cannot be removed", errors=[{"field": field, "message": "null"}])
            value = _seal(vault, value)
        elif field == "token_expires_at":
            value = _aware(value, field)
        elif value is None:
            raise ProblemError(422, f"{field} cannot be null", errors=[{"field": field, "message": "null"}])
        setattr(row, field, value)
        changed.append(field)
    row.updated_at = utcnow()
    return sorted(changed)


def check(vault: Vault, row: Credential) -> CredentialCheck:
    """Decrypt every field (proving the keys work) and say whether the trading token is usable."""
    for field in SECRET_FIELDS:
        if (value := getattr(row, field)) is not None:
            vault.decrypt(value)
    if row.token is None:
        status = "none"
    elif row.token_expires_at is None:
        status = "no_expiry"
    else:
        status = "valid" if row.token_expires_at > datetime.now(UTC) else "expired"
    return CredentialCheck(id=row.id, decrypted=True, token=status)  # type: ignore[arg-type]


async def rotate_all(session: AsyncSession, vault: Vault) -> int:
    """Re-encrypt every credential with the newest key, in one transaction."""
    count = 0
    for row in await session.scalars(sa.select(Credential).with_for_update()):
        for field in SECRET_FIELDS:
            if (value := getattr(row, field)) is not None:
                setattr(row, field, vault.rotate(value))
        count += 1
    return count
