"""JWT issuing and checking on top of Litestar's OAuth2 password-bearer backend.

Access tokens are short-lived and accepted by every route (header or HttpOnly cookie); refresh
tokens are only accepted by /api/auth/refresh. Both carry the user's token version, so logout or a
password change revokes every token issued before it.

Checking that version used to read the user from the database on every request. `UserCache` keeps
what the check needs (token version, role, active) per user for `auth_cache_seconds` (default 5):
a logout or password change made through this process drops the cached entry once committed, so it
applies at once here; a change made by another process is seen within that bound.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.security.jwt import OAuth2PasswordBearerAuth, Token

from quantflow_server.auth.principal import Principal, Role
from quantflow_server.db.models import User
from quantflow_server.settings import Settings

ACCESS, REFRESH = "access", "refresh"
REFRESH_COOKIE = "refresh_token"
PUBLIC_PATHS = ["^/api/auth/token$", "^/api/auth/refresh$", "^/api/health$"]


class TokenError(Exception):
    pass


class _Known(NamedTuple):
    until: float  # the cache's clock (monotonic) after which the database is asked again
    principal: Principal | None  # None: no such user, or inactive
    token_version: int


class UserCache:
    """What authenticating a request needs to know about a user, for at most `ttl` seconds.

    `forget(user_id)` (after the change is committed) makes the next request read the database; a
    read that was already in flight when it was called does not store its (possibly older) answer."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._known: dict[int, _Known] = {}
        self._changes: dict[int, int] = {}  # per user: how many times forget() was called

    async def lookup(self, sessions: Callable[[], Any], user_id: int) -> _Known:
        """The user's entry; `sessions` opens a database session (`Database.sessions`) on a miss."""
        known = self._known.get(user_id)
        now = self.clock()
        if known is not None and now < known.until:
            return known
        changes = self._changes.get(user_id, 0)
        async with sessions() as session:
            user = await session.get(User, user_id)
        if user is None or not user.active:
            known = _Known(now + self.ttl, None, -1)
        else:
            principal = Principal(id=user.id, username=user.username, role=Role(user.role))
            known = _Known(now + self.ttl, principal, user.token_version)
        if self.ttl > 0 and self._changes.get(user_id, 0) == changes:
            if len(self._known) >= 10_000:
                self._known.clear()
            self._known[user_id] = known
        return known

    def forget(self, user_id: int) -> None:
        self._known.pop(user_id, None)
        self._changes[user_id] = self._changes.get(user_id, 0) + 1


async def retrieve_user(token: Token, connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    if token.extras.get("typ") != ACCESS:
        return None
    try:
        user_id = int(token.sub)
    except ValueError:
        return None
    state = connection.app.state
    known = await state.tokens.users.lookup(state.db.sessions, user_id)
    if known.principal is None or known.token_version != token.extras.get("ver"):
        return None
    return known.principal


class TokenService:
    def __init__(self, settings: Settings) -> None:
        self.secret = settings.resolved_jwt_secret()
        self.access_ttl = timedelta(minutes=settings.access_token_minutes)
        self.refresh_ttl = timedelta(days=settings.refresh_token_days)
        self.users = UserCache(settings.auth_cache_seconds)
        self.auth = OAuth2PasswordBearerAuth[Principal, Token](
            retrieve_user_handler=retrieve_user,
            token_secret=self.secret,
            token_url="/api/auth/token",
            exclude=PUBLIC_PATHS,
            exclude_http_methods=[],  # HEAD and OPTIONS need a token too
            default_token_expiration=self.access_ttl,
            secure=settings.cookie_secure,
            samesite="strict",
        )

    def access_token(self, user: User) -> str:
        return self.auth.create_token(
            str(user.id),
            token_expiration=self.access_ttl,
            token_extras={"typ": ACCESS, "ver": user.token_version, "role": user.role},
        )

    def refresh_token(self, user: User) -> str:
        return self.auth.create_token(
            str(user.id),
            token_expiration=self.refresh_ttl,
            token_extras={"typ": REFRESH, "ver": user.token_version},
        )

    def decode_refresh(self, encoded: str) -> tuple[int, int]:
        """(user id, token version) of a valid refresh token; TokenError otherwise."""
        try:
            token = Token.decode(encoded, self.secret, self.auth.algorithm)
            if token.extras.get("typ") != REFRESH:
                raise TokenError("not a refresh token")
            return int(token.sub), int(token.extras["ver"])
        except TokenError:
            raise
        except Exception as exc:  # any decoding problem is the same answer to the client
            raise TokenError("invalid or expired refresh token") from exc

    def cookies(self, access: str, refresh: str, secure: bool) -> list[Cookie]:
        """The browser's HttpOnly cookies: the access token for every request (and the websocket),
        the refresh token only for the refresh endpoint."""
        return [
            Cookie(
                key=self.auth.key,
                value=access,
                path="/",
                httponly=True,
                secure=secure,
                samesite="strict",
                max_age=int(self.access_ttl.total_seconds()),
            ),
            Cookie(
                key=REFRESH_COOKIE,
                value=refresh,
                path="/api/auth",
                httponly=True,
                secure=secure,
                samesite="strict",
                max_age=int(self.refresh_ttl.total_seconds()),
            ),
        ]

    def cleared_cookies(self) -> list[Cookie]:
        return [
            Cookie(key=self.auth.key, value="", path="/", max_age=0, httponly=True),
            Cookie(key=REFRESH_COOKIE, value="", path="/api/auth", max_age=0, httponly=True),
        ]


def expires_at(ttl: timedelta) -> datetime:
    return datetime.now(UTC) + ttl
