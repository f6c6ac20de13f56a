"""The one unauthenticated probe: is the process up and can it reach its database?"""

from __future__ import annotations

import sqlalchemy as sa
from litestar import Response, get
from litestar.datastructures import State


@get("/api/health", tags=["health"], security=[], summary="Liveness and database reachability")
async def health(state: State) -> Response[dict[str, str]]:
    try:
        async with state.db.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
    except Exception:
        return Response({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return Response({"status": "ok", "database": state.db.engine.dialect.name})
