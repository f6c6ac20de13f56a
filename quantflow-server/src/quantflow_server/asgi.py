"""The ASGI entry point for uvicorn and other servers: `uvicorn quantflow_server.asgi:app`."""

from quantflow_server.app import create_app
from quantflow_server.docs_ui import with_default_swagger_dir
from quantflow_server.heap import freeze_startup_heap
from quantflow_server.settings import Settings
from quantflow_server.web import with_default_web_dir

app = create_app(with_default_swagger_dir(with_default_web_dir(Settings())))
app.on_startup.append(freeze_startup_heap)  # after the lifespan's startup (migrations, scheduler): a server only
