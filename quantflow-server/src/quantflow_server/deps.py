"""Dependencies every controller uses: a database session per request and the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from quantflow_server.auth.principal import Principal


async def provide_session(state: State) -> AsyncIterator[AsyncSession]:
    """Commits when the handler returns normally, rolls back when it raises."""
    async with state.db.session() as session:
        yield session


def provide_user(request: Request[Any, Any, Any]) -> Principal:
    return request.user  # type: ignore[no-any-return]


DEPENDENCIES = {
    "session": Provide(provide_session),
    "me": Provide(provide_user, sync_to_thread=False),
}

# Explicit markers (Litestar 3 drops inferred dependencies).
Session = NamedDependency[AsyncSession]
Me = NamedDependency[Principal]
