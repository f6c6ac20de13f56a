"""Request and response bodies of the auth endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from quantflow_server.auth.principal import Role
from quantflow_server.text import text

Username = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.@\-]+$")]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PasswordForm(_Frozen):
    """OAuth2 password grant (application/x-www-form-urlencoded)."""

    username: text(256)  # recorded in the ledger on failure: must be storable
    password: Annotated[str, StringConstraints(max_length=1024)]
    grant_type: str | None = None
    scope: str | None = None


class TokenPair(_Frozen):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int


class RefreshRequest(_Frozen):
    refresh_token: str | None = None  # or the HttpOnly refresh cookie


class UserOut(_Frozen):
    id: int
    username: str
    role: Role
    active: bool
    created_at: datetime


class NewUser(_Frozen):
    username: Username
    password: Annotated[str, StringConstraints(max_length=1024)]
    role: Role = Role.TRADER


class PasswordChange(_Frozen):
    current_password: Annotated[str, StringConstraints(max_length=1024)]
    new_password: Annotated[str, StringConstraints(max_length=1024)]
