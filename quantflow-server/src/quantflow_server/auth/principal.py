"""The authenticated user as handlers see it, and the role checks."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from pydantic import BaseModel, ConfigDict


class Role(StrEnum):
    ADMIN = "admin"
    TRADER = "trader"  # may create workflows and start runs
    VIEWER = "viewer"  # reads only its own (or shared) things


class Principal(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    username: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def require_roles(*roles: Role) -> Any:
    """A guard admitting only the given roles (admins are always admitted)."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user = connection.user
        if not isinstance(user, Principal) or (user.role not in roles and not user.is_admin):
            raise PermissionDeniedException(f"this needs the role {' or '.join(r.value for r in roles)}")

    return guard


can_write = require_roles(Role.TRADER)
admin_only = require_roles(Role.ADMIN)
