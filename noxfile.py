"""Developer sessions: `nox -s tests`, `nox -s lint`, … (`nox -l` lists them).

`./dev test` remains the one command that runs everything CI runs; these sessions split the work
for a developer who wants one part, in isolated virtual environments.
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["lint", "tests"]

PYTHON = "3.11"
CORE = "./quantflow-core[test]"
SERVER = "./quantflow-server[test]"


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Every Python test: core, server and cross-package (pass pytest args after --)."""
    session.install("-e", CORE, "-e", SERVER, "-r", "requirements-dev.txt")
    session.run("scripts/services.sh", "postgres", external=True)
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON, name="tests-core")
def tests_core(session: nox.Session) -> None:
    """The core package alone, as a plugin author's CI would run it."""
    session.install("-e", CORE)
    session.run("pytest", "quantflow-core/tests", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff check over the Python packages, examples and tests."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", "quantflow-core", "quantflow-server", "examples", "tests", "bench")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy, strict for quantflow-core."""
    session.install("-e", CORE, "mypy>=1.11", "types-croniter")  # croniter ships no type information
    session.run("mypy", "--strict", "quantflow-core/src/quantflow")


@nox.session(python=False)
def web(session: nox.Session) -> None:
    """The canvas: npm ci, unit tests, production build."""
    session.chdir("quantflow-web")
    session.run("npm", "ci", external=True)
    session.run("npm", "test", external=True)
    session.run("npm", "run", "build", external=True)


@nox.session(python=PYTHON)
def e2e(session: nox.Session) -> None:
    """Browser tests: Playwright driving Debian's Chromium against a real server."""
    session.install("-e", CORE, "-e", SERVER, "playwright")
    session.run("scripts/system-packages.sh", "chromium=chromium", external=True)
    session.run("pytest", "tests/e2e", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks, each side by side with its peer (one JSON line per result)."""
    session.install("-e", CORE, "-e", SERVER, "-r", "bench/requirements.txt")
    for script in ("bench_core.py", "bench_expr.py", "bench_backtest.py"):
        session.run("python", f"bench/{script}")


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the documentation offline, strictly."""
    session.install("-e", CORE, "-r", "requirements-dev.txt")
    session.run("mkdocs", "build", "--strict")
