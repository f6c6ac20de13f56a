"""The ASGI entry point for uvicorn and other servers: `uvicorn quantflow_server.asgi:app`."""

from quantflow_server.app import create_app

app = create_app()
