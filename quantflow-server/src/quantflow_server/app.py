"""The app factory: `create_app(settings)` wires storage, auth, the routes and the run manager.

Everything per-process lives on `app.state` (database, plugin host, token service, run manager), so
several apps — e.g. one per test — can live in one interpreter without sharing anything.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.datastructures import State
from quantflow.plugins.host import PluginHost, get_host

from quantflow_server.audit.recorder import AuditRecorder, LedgerAudit
from quantflow_server.audit.routes import AuditController
from quantflow_server.auth.routes import AuthController, UsersController
from quantflow_server.auth.throttle import LoginThrottle
from quantflow_server.auth.tokens import TokenService
from quantflow_server.catalog.routes import CatalogController, RenderedCatalog
from quantflow_server.db.database import Database
from quantflow_server.deps import DEPENDENCIES
from quantflow_server.docs_ui import openapi_config, swagger_routes
from quantflow_server.errors import EXCEPTION_HANDLERS
from quantflow_server.health import health
from quantflow_server.runs.manager import RunManager
from quantflow_server.runs.routes import RunController, run_events_socket
from quantflow_server.schedules.routes import ActivationController
from quantflow_server.schedules.scheduler import Clock, Scheduler
from quantflow_server.settings import Settings
from quantflow_server.text import refuse_nul_in_url
from quantflow_server.vault.crypto import Vault, VaultError
from quantflow_server.vault.keys import load_keys
from quantflow_server.vault.routes import CredentialController, vault_error_handler
from quantflow_server.web import web_exception_handlers, web_routes
from quantflow_server.workflows.problems import RevisionProblems
from quantflow_server.workflows.routes import WorkflowController

API_ROUTES: list[Any] = [
    health,
    AuthController,
    UsersController,
    WorkflowController,
    CatalogController,
    RunController,
    ActivationController,
    AuditController,
    CredentialController,
    run_events_socket,
]


def create_app(
    settings: Settings | None = None,
    *,
    host: PluginHost | None = None,
    audit: AuditRecorder | None = None,
    worker_host: Callable[[], PluginHost] = get_host,
    clock: Clock | None = None,
) -> Litestar:
    """`worker_host` builds the plugin host inside run worker processes (a module-level function,
    pickled by name): a loaded `host` cannot cross a process boundary. `clock`: the scheduler's
    (tests move time; default the system clock)."""
    settings = settings or Settings()
    settings.ensure_data_dir()
    host = host or get_host()
    db = Database(settings.resolved_database_url)
    tokens = TokenService(settings)
    audit = audit or LedgerAudit()
    runs = RunManager(db, host, audit, settings, worker_host)
    scheduler = Scheduler(db, runs, host, audit, clock)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await db.migrate()
        await runs.recover()
        await scheduler.start()  # activated workflows resume
        try:
            yield
        finally:
            await scheduler.stop()
            await runs.shutdown()
            await db.dispose()

    route_handlers = [*API_ROUTES, *swagger_routes(settings), *web_routes(settings)]  # the canvas last

    state = State(
        {
            "settings": settings,
            "db": db,
            "host": host,
            "tokens": tokens,
            "runs": runs,
            "scheduler": scheduler,
            "throttle": LoginThrottle(settings.login_rate_per_minute),
            "catalog": RenderedCatalog(host),
            "problems": RevisionProblems(host),
            "audit": audit,
            "vault": Vault(lambda: load_keys(settings)),
        }
    )
    return Litestar(
        route_handlers=route_handlers,
        dependencies=DEPENDENCIES,
        on_app_init=[tokens.auth.on_app_init],
        before_request=refuse_nul_in_url,
        lifespan=[lifespan],
        state=state,
        exception_handlers={**EXCEPTION_HANDLERS, VaultError: vault_error_handler, **web_exception_handlers(settings)},
        openapi_config=openapi_config(settings),
        request_max_body_size=5 * 1024 * 1024,
    )
