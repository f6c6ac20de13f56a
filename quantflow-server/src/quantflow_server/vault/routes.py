"""Credential endpoints: owners (and admins) manage them; secrets go in, only masks come out."""

from __future__ import annotations

import logging
from typing import Annotated, Any

import sqlalchemy as sa
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import JSONBody, PathParameter

from quantflow_server.auth.principal import can_write
from quantflow_server.db.models import Credential, User
from quantflow_server.deps import Me, Session
from quantflow_server.errors import problem
from quantflow_server.vault import service as svc
from quantflow_server.vault.crypto import VaultError
from quantflow_server.vault.schemas import CredentialCheck, CredentialCreate, CredentialOut, CredentialUpdate

log = logging.getLogger("quantflow.server.vault")
CredentialId = Annotated[str, PathParameter(max_length=64)]


async def _owner(session: Session, row: Credential) -> str:
    return await session.scalar(sa.select(User.username).where(User.id == row.owner_id)) or ""


class CredentialController(Controller):
    path = "/api/credentials"
    tags = ["credentials"]

    @get("/", summary="Credentials the caller may see (masked)")
    async def list_credentials(self, state: State, session: Session, me: Me) -> list[CredentialOut]:
        query = sa.select(Credential, User.username).join(User, User.id == Credential.owner_id)
        if not me.is_admin:
            query = query.where(Credential.owner_id == me.id)
        rows = await session.execute(query.order_by(Credential.created_at, Credential.id))
        return [svc.out(state.vault, row, owner) for row, owner in rows.all()]

    @post("/", guards=[can_write], summary="Store a broker credential (encrypted)")
    async def create(self, state: State, session: Session, me: Me, data: JSONBody[CredentialCreate]) -> CredentialOut:
        row = await svc.create(session, state.vault, me, data)
        await state.audit.record(
            session, "credential_created", None, {"by": me.username, "credential": row.id, "broker": row.broker}
        )
        return svc.out(state.vault, row, me.username)

    @get("/{credential_id:str}", summary="One credential (masked)")
    async def read(self, state: State, session: Session, me: Me, credential_id: CredentialId) -> CredentialOut:
        row = await svc.get(session, me, credential_id)
        return svc.out(state.vault, row, await _owner(session, row))

    @patch("/{credential_id:str}", guards=[can_write], summary="Change fields of a credential")
    async def update(
        self, state: State, session: Session, me: Me, credential_id: CredentialId, data: JSONBody[CredentialUpdate]
    ) -> CredentialOut:
        row = await svc.get(session, me, credential_id)
        changed = svc.update(state.vault, row, data)
        await session.flush()
        await state.audit.record(
            session, "credential_updated", None, {"by": me.username, "credential": row.id, "fields": changed}
        )
        return svc.out(state.vault, row, await _owner(session, row))

    @delete("/{credential_id:str}", guards=[can_write], summary="Delete a credential")
    async def remove(self, state: State, session: Session, me: Me, credential_id: CredentialId) -> None:
        row = await svc.get(session, me, credential_id)
        await session.delete(row)
        await state.audit.record(session, "credential_deleted", None, {"by": me.username, "credential": row.id})

    @post("/{credential_id:str}/check", guards=[can_write], status_code=200, summary="Decrypt and check the token")
    async def check(self, state: State, session: Session, me: Me, credential_id: CredentialId) -> CredentialCheck:
        row = await svc.get(session, me, credential_id)
        result = svc.check(state.vault, row)
        await state.audit.record(session, "credential_used", None, {"by": me.username, "credential": row.id})
        return result


def vault_error_handler(request: Request[Any, Any, Any], exc: VaultError) -> Response[dict[str, Any]]:
    """Keys that cannot decrypt stored data are the operator's problem, not the client's: 503."""
    log.error("vault: %s (check QUANTFLOW_VAULT_KEYS or the key file)", exc)
    return problem(503, "Service Unavailable", str(exc))
