"""Credential bodies. Secrets arrive as SecretStr (so no repr or log of a model shows them) and
leave only masked."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StringConstraints

from quantflow_server.text import text

Name = text(100, min_length=1, strip=True)
Broker = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[a-z0-9_\-]+$")]
Secret = Annotated[SecretStr, Field(min_length=1, max_length=4096)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CredentialCreate(_Frozen):
    name: Name
    broker: Broker = "dnse"
    api_key: Secret
    secret: Secret
    token: Secret | None = None
    token_expires_at: datetime | None = Field(None, description="Timezone-aware; when the trading token stops working.")


class CredentialUpdate(_Frozen):
    """Only the fields given change; `token: null` removes the token."""

    name: Name | None = None
    broker: Broker | None = None
    api_key: Secret | None = None
    secret: Secret | None = None
    token: Secret | None = None
    token_expires_at: datetime | None = None


class CredentialOut(_Frozen):
    id: str
    owner: str
    name: str
    broker: str
    api_key: str = Field(description="Masked.")
    secret: str = Field(description="Masked.")
    token: str | None = Field(description="Masked; null when there is none.")
    token_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CredentialCheck(_Frozen):
    id: str
    decrypted: bool
    token: Literal["valid", "expired", "no_expiry", "none"]
