"""User creation and the login decision (password, lockout), shared by the API and the CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from quantflow_server.auth.passwords import hash_password, password_problem, verify_password
from quantflow_server.auth.principal import Role
from quantflow_server.db.models import User


class UserError(ValueError):
    """A user could not be created or changed; the message says why."""


async def create_user(session: AsyncSession, username: str, password: str, role: Role) -> User:
    if (problem := password_problem(password)) is not None:
        raise UserError(problem)
    existing = await session.scalar(sa.select(User.id).where(User.username == username))
    if existing is not None:
        raise UserError(f"the user {username!r} already exists")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role.value,
        active=True,
        token_version=0,
        failed_logins=0,
    )
    session.add(user)
    await session.flush()
    return user


class LoginOutcome:
    OK, BAD, LOCKED = "ok", "bad", "locked"


async def check_login(
    session: AsyncSession,
    username: str,
    password: str,
    *,
    max_failures: int,
    lockout: timedelta,
) -> tuple[str, User | None, int]:
    """(outcome, user, seconds until unlocked). Failures are counted per account; the account
    locks after `max_failures` consecutive ones, and even the right password is refused then."""
    user = await session.scalar(sa.select(User).where(User.username == username))
    now = datetime.now(UTC)
    if user is not None and user.locked_until is not None and user.locked_until > now:
        return LoginOutcome.LOCKED, user, int((user.locked_until - now).total_seconds()) + 1
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not user.active:
        return LoginOutcome.BAD, user, 0
    if not ok:
        user.failed_logins += 1
        if user.failed_logins >= max_failures:
            user.locked_until = now + lockout
            user.failed_logins = 0
        return LoginOutcome.BAD, user, 0
    user.failed_logins = 0
    user.locked_until = None
    return LoginOutcome.OK, user, 0
