"""`core:notify`: tell the outside world through a JSON webhook (Slack/Discord-style relays, Zalo
bots, your own server). A side effect: never cached, and skipped in backtests unless asked."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import anyio
import httpx
import numpy as np
from pydantic import Field, field_validator

from quantflow.engine.context import RunContext, RunMode
from quantflow.errors import QuantflowError
from quantflow.nodes import AnyValue, Category, NodeParams, Port, PortType, node

Sleep = Callable[[float], Awaitable[None]]
SLEEP_SERVICE = "sleep"  # hosts and tests may replace the backoff sleep (default anyio.sleep)


class _RedactHttpxUrls(logging.Filter):
    """httpx logs every request's full URL at INFO; webhook URLs carry tokens in their query."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(str(a)) if isinstance(a, httpx.URL) else a for a in record.args)
        return True


logging.getLogger("httpx").addFilter(_RedactHttpxUrls())


class NotifyParams(NodeParams):
    url: str = Field(
        ..., min_length=1, max_length=2000,
        description="Webhook address (http or https). The JSON body is {message, value, run_id, time}.",
    )
    message: str = Field("{value}", max_length=4000, description="Text to send; {value} is replaced by the input.")
    timeout: float = Field(10.0, gt=0, le=120, description="Seconds to wait for each attempt.")
    retries: int = Field(3, ge=0, le=10, description="Extra attempts after a 5xx answer or a network error (never after a 4xx).")
    backoff: float = Field(0.5, ge=0, le=60, description="Seconds before the first retry; doubles after each.")
    in_backtest: bool = Field(False, description="Also send during backtests (off: report what would be sent).")

    @field_validator("url")
    @classmethod
    def url_is_http(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{redact(value)!r} is not an http(s) address such as https://example.com/hook")
        return value.strip()


def redact(url: str) -> str:
    """The URL safe to log: no user/password, and query values (tokens, keys) replaced by ***."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    query = urlencode([(key, "***") for key, _ in parse_qsl(parts.query, keep_blank_values=True)], safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def should_send(when: Any) -> bool:
    """Whether the `when` input asks for a message: no input or an event that fired (price alerts
    emit fired=false on quiet bars), true, or a condition true on the newest bar of any symbol."""
    if when is None:
        return True
    if isinstance(when, Mapping):
        if "fired" in when or "reason" in when:
            return bool(when.get("fired", True))
        if all(isinstance(v, np.ndarray | list) for v in when.values()):
            return any(len(v) and bool(np.asarray(v)[-1]) for v in when.values())
    return bool(when)


def to_json(value: Any) -> Any:
    """JSON-ready value: series travel as their newest value per symbol (what an alert is about)."""
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return value[-1].item() if len(value) else None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def backoff_delays(retries: int, backoff: float) -> list[float]:
    """Seconds to wait before each retry: backoff, 2×backoff, 4×backoff, …"""
    return [backoff * 2**attempt for attempt in range(retries)]


async def post_json(
    client: httpx.AsyncClient, url: str, payload: Any, delays: list[float], sleep: Sleep
) -> tuple[int, int]:
    """POST until a 2xx; retry 5xx and network errors after each delay; fail at once on 4xx.
    Returns (status, attempts). Error messages show the redacted URL only."""
    shown = redact(url)
    for attempt in range(len(delays) + 1):
        if attempt:
            await sleep(delays[attempt - 1])
        try:
            response = await client.post(url, json=payload)
        except httpx.HTTPError as exc:
            problem = f"could not reach {shown}: {type(exc).__name__}"
            continue
        if response.status_code < 300:
            return response.status_code, attempt + 1
        body = response.text[:200]
        if response.status_code < 500:
            raise QuantflowError(
                f"webhook {shown} refused the message with {response.status_code} "
                f"{response.reason_phrase}: {body!r} (not retried: fix the URL or the receiver)"
            )
        problem = f"webhook {shown} answered {response.status_code} {response.reason_phrase}: {body!r}"
    raise QuantflowError(f"{problem}; gave up after {len(delays) + 1} attempts")


@node(
    "core:notify", category=Category.ACTION, title="Notify", icon="send", side_effects=True,
    outputs={"out": Port(PortType.ANY, "{sent, status, attempts, message}")},
)
async def notify_node(
    ctx: RunContext, params: NotifyParams, value: AnyValue = None, when: AnyValue = None
) -> dict[str, Any]:
    """POSTs a JSON message to a webhook, retrying server errors with backoff. Connect `when` to a
    trigger or condition to send only when it fires."""
    message = params.message.replace("{value}", str(value))
    quiet = {"sent": False, "status": None, "attempts": 0, "message": message}
    if not should_send(when):
        return quiet
    if ctx.mode is RunMode.BACKTEST and not params.in_backtest:
        ctx.logger.info("notify (backtest, not sent) to %s: %s", redact(params.url), message)
        return quiet
    payload = {"message": message, "value": to_json(value), "run_id": ctx.run_id, "time": ctx.now().isoformat()}
    sleep: Sleep = ctx.services.get(SLEEP_SERVICE, anyio.sleep)
    async with httpx.AsyncClient(timeout=params.timeout) as client:
        status, attempts = await post_json(
            client, params.url, payload, backoff_delays(params.retries, params.backoff), sleep
        )
    ctx.logger.info("notify sent to %s (%s, %d attempt(s))", redact(params.url), status, attempts)
    return {"sent": True, "status": status, "attempts": attempts, "message": message}


NODE_TYPES = [notify_node]
