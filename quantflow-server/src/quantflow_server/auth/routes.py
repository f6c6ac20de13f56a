"""Login, refresh, logout, the caller's identity, and user administration."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import sqlalchemy as sa
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotAuthorizedException
from litestar.params import Body, JSONBody

from quantflow_server.auth.passwords import hash_password, password_problem, verify_password
from quantflow_server.auth.principal import Role, admin_only
from quantflow_server.auth.schemas import NewUser, PasswordChange, PasswordForm, RefreshRequest, TokenPair, UserOut
from quantflow_server.auth.service import LoginOutcome, UserError, check_login, create_user
from quantflow_server.auth.tokens import REFRESH_COOKIE, TokenError, TokenService
from quantflow_server.db.models import User
from quantflow_server.deps import Me, Session
from quantflow_server.errors import ProblemError, problem


def _user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id, username=user.username, role=Role(user.role), active=user.active, created_at=user.created_at
    )


def _issue(tokens: TokenService, user: User, secure: bool) -> Response[TokenPair]:
    access, refresh = tokens.access_token(user), tokens.refresh_token(user)
    body = TokenPair(access_token=access, refresh_token=refresh, expires_in=int(tokens.access_ttl.total_seconds()))
    return Response(
        body, status_code=200, cookies=tokens.cookies(access, refresh, secure), headers={"Cache-Control": "no-store"}
    )


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post("/token", summary="Log in (OAuth2 password grant)", security=[])
    async def login(
        self,
        request: Request[Any, Any, Any],
        state: State,
        session: Session,
        data: Annotated[PasswordForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any]:
        settings = state.settings
        client = request.client.host if request.client else "unknown"
        wait = state.throttle.retry_after(client)
        if wait:
            await state.audit.record(session, "login_throttled", None, {"username": data.username, "client": client})
            return _too_many(wait)
        outcome, user, locked_for = await check_login(
            session,
            data.username,
            data.password,
            max_failures=settings.login_max_failures,
            lockout=timedelta(seconds=settings.login_lockout_seconds),
        )
        details = {"username": data.username, "client": client}
        if outcome == LoginOutcome.LOCKED:
            await state.audit.record(session, "login_locked", user, details)
            return _too_many(locked_for)
        if outcome == LoginOutcome.BAD or user is None:
            await state.audit.record(session, "login_failed", user, details)
            # A Response (not an exception) so the failure count above is committed.
            return problem(401, "Unauthorized", "wrong username or password")
        await state.audit.record(session, "login", user, details)
        return _issue(state.tokens, user, settings.cookie_secure)

    @post("/refresh", summary="Exchange a refresh token for a new token pair", security=[])
    async def refresh(
        self,
        request: Request[Any, Any, Any],
        state: State,
        session: Session,
        data: JSONBody[RefreshRequest | None] = None,
    ) -> Response[Any]:
        encoded = (data.refresh_token if data else None) or request.cookies.get(REFRESH_COOKIE)
        if not encoded:
            raise NotAuthorizedException("no refresh token in the body or the refresh cookie")
        try:
            user_id, version = state.tokens.decode_refresh(encoded)
        except TokenError as exc:
            raise NotAuthorizedException(str(exc)) from None
        user = await session.get(User, user_id)
        if user is None or not user.active or user.token_version != version:
            raise NotAuthorizedException("the refresh token was revoked")
        return _issue(state.tokens, user, state.settings.cookie_secure)

    @post("/logout", summary="Revoke every token of the caller", status_code=200)
    async def logout(self, state: State, session: Session, me: Me) -> Response[dict[str, str]]:
        user = await session.get(User, me.id)
        assert user is not None
        await _revoke_tokens(state, session, user, "logout")
        return Response({"status": "logged out"}, cookies=state.tokens.cleared_cookies())

    @post("/password", summary="Change the caller's password (revokes every token)", status_code=200)
    async def change_password(self, state: State, session: Session, me: Me, data: JSONBody[PasswordChange]) -> UserOut:
        user = await session.get(User, me.id)
        assert user is not None
        if not verify_password(user.password_hash, data.current_password):
            raise ProblemError(403, "the current password is wrong", errors=[{"field": "current_password"}])
        if (why := password_problem(data.new_password)) is not None:
            raise ProblemError(422, why, errors=[{"field": "new_password", "message": why}])
        user.password_hash = hash_password(data.new_password)
        await _revoke_tokens(state, session, user, "password_changed")
        return _user_out(user)


async def _revoke_tokens(state: State, session: Session, user: User, action: str) -> None:
    """Invalidate every token of `user` (and commit, audited as `action`); this process's next
    request sees it at once, another's within the auth cache's lifetime."""
    user.token_version += 1
    await state.audit.record(session, action, user, {})
    await session.commit()
    state.tokens.users.forget(user.id)  # once committed


class UsersController(Controller):
    path = "/api"
    tags = ["users"]

    @get("/me", summary="The authenticated user")
    async def me(self, session: Session, me: Me) -> UserOut:
        user = await session.get(User, me.id)
        assert user is not None
        return _user_out(user)

    @get("/users", guards=[admin_only], summary="Every user (admin)")
    async def list_users(self, session: Session) -> list[UserOut]:
        users = await session.scalars(sa.select(User).order_by(User.id))
        return [_user_out(u) for u in users]

    @post("/users", guards=[admin_only], summary="Create a user (admin)")
    async def create(self, state: State, session: Session, me: Me, data: JSONBody[NewUser]) -> UserOut:
        try:
            user = await create_user(session, data.username, data.password, data.role)
        except UserError as exc:
            status = 409 if "already exists" in str(exc) else 422
            field = "username" if status == 409 else "password"
            raise ProblemError(status, str(exc), errors=[{"field": field, "message": str(exc)}]) from None
        await state.audit.record(session, "user_created", user, {"by": me.username, "role": user.role})
        return _user_out(user)


def _too_many(seconds: int) -> Response[Any]:
    response = problem(429, "Too Many Requests", "too many login attempts; try again later", retry_after=seconds)
    response.headers["Retry-After"] = str(seconds)
    return response
