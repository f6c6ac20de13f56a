"""The ASGI entry point for uvicorn and other servers: `uvicorn quantflow_server.asgi:app`."""

from quantflow_server.app import create_app
from quantflow_server.docs_ui import with_default_swagger_dir
from quantflow_server.settings import Settings
from quantflow_server.web import with_default_web_dir

app = create_app(with_default_swagger_dir(with_default_web_dir(Settings())))
