"""Server under load: 500 websocket subscribers to a running paper workflow plus 100 requests/s of
workflow reads, from this separate process over loopback, against the real server (uvicorn).

    .venv/bin/python bench/bench_server_load.py [--subscribers 500] [--rate 100] [--seconds 20]

The server gets a temp data dir (SQLite) and a created user, then a paper run of the SMA crossover
example on the synthetic market, paced (`--pace-ms` per session, every session reported) so that it
is still producing live events when the measurement ends (`run_status_at_end` says "running").
`--pace-ms 0` measures late subscribers instead: the run computes at full speed and finishes before
the reads start, so each subscriber replays the whole run (~2,600 events) and gets no live event.
Phase 1 (the peer): the same reads with no subscribers, for a third of the time. Phase 2: the
subscribers attach (each replays the run so far, then streams live) while the reads go on. Reads
are open-loop (sent on schedule, latency from the scheduled time), so a slow server cannot hide by
slowing the client down. Event delivery is from the worker process stamping a progress event
(`time`) to a subscriber parsing it, over all live events and subscribers; the fan-out lag is how
long after its first subscriber the last one got an event. Every subscriber checks that it got the
events 0, 1, 2, ... exactly once. The server's log is kept (`--server-log`). One JSON line;
everything bound to 127.0.0.1 and stopped by itself (hard limit 180 s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import shutil
import tempfile
import time
import urllib.parse
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx
import websockets
from _common import emit
from quantflow.testing.serving import create_user, free_port, serve_command, serving
from quantflow.testing.serving import server_env as serving_env

REPO = Path(__file__).resolve().parents[1]
USER, PASSWORD = "bench", "a long bench password"
HARD_LIMIT_S = 180


def _percentiles(samples: list[float]) -> dict[str, float | int]:
    if not samples:
        return {"n": 0}
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"n": len(ordered), "p50_ms": round(pick(0.50) * 1000, 2), "p99_ms": round(pick(0.99) * 1000, 2)}


def server_env(root: Path) -> dict[str, str]:
    """A temp data dir with a created user, for `quantflow serve`."""
    env = serving_env(root / "data", QUANTFLOW_LOGIN_RATE_PER_MINUTE="10000", QUANTFLOW_WEB_DIR=str(root / "no-web"))
    create_user(env, USER, PASSWORD)
    return env


class KeepAlivePool:
    """A minimal HTTP/1.1 GET client over `size` keep-alive loopback connections. httpx's pool costs
    O(waiting requests) per request: once a backlog formed, the bench's own CPU became the bottleneck
    (97% of the reads process in a profile) and the numbers measured the client, not the server."""

    def __init__(self, url: str, headers: dict[str, str], size: int) -> None:
        parsed = urllib.parse.urlsplit(url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.header_lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.size = size
        self.idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter] | None] = asyncio.Queue()
        for _ in range(size):
            self.idle.put_nowait(None)  # connected on first use

    async def get(self, path: str) -> int:
        """The status of GET `path` (the body is read and dropped). A kept-alive connection the
        server has closed meanwhile (idle timeout) is replaced once, as HTTP clients do."""
        connection = await self.idle.get()
        try:
            while True:
                fresh = connection is None
                if connection is None:
                    connection = await asyncio.open_connection(self.host, self.port)
                try:
                    status = await self._exchange(connection, path)
                    break
                except (ConnectionError, asyncio.IncompleteReadError):
                    connection[1].close()
                    connection = None
                    if fresh:
                        raise
        except BaseException:
            if connection is not None:
                connection[1].close()
            self.idle.put_nowait(None)
            raise
        self.idle.put_nowait(connection)
        return status

    async def _exchange(self, connection: tuple[asyncio.StreamReader, asyncio.StreamWriter], path: str) -> int:
        reader, writer = connection
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.header_lines}\r\n".encode("ascii"))
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        lengths = [int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")]
        if not lengths:  # (a StopIteration from next() would surface as RuntimeError inside a coroutine)
            raise ValueError(f"the answer to GET {path} has no Content-Length")
        await reader.readexactly(lengths[0])
        return status

    async def close(self) -> None:
        while not self.idle.empty():
            connection = self.idle.get_nowait()
            if connection is not None:
                connection[1].close()


async def reads(
    pool: KeepAlivePool, path: str, rate: float, seconds: float, spans: list[tuple[float, float]] | None = None
) -> tuple[list[float], int]:
    """GET `path` at `rate` per second for `seconds`, open-loop; (latencies, errors). `spans` gets each
    successful read's (scheduled, answered) on the system's monotonic clock."""
    latencies: list[float] = []
    errors = 0

    async def one(scheduled: float) -> None:
        nonlocal errors
        try:
            if await asyncio.wait_for(pool.get(path), 30) != 200:
                errors += 1
                return
            answered = time.perf_counter()
            latencies.append(answered - scheduled)
            if spans is not None:
                spans.append((scheduled, answered))
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError):
            errors += 1

    start, tasks = time.perf_counter(), []
    for i in range(int(rate * seconds)):
        scheduled = start + i / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        tasks.append(asyncio.create_task(one(scheduled)))
    await asyncio.gather(*tasks)
    return latencies, errors


class Subscribers:
    """N websockets on one run. Every message is a JSON array of consecutive events; records when each
    subscriber received each live event (by seq) and checks each got 0, 1, 2, ... with no gap or repeat."""

    def __init__(self, url: str, token: str, n: int) -> None:
        self.url, self.headers, self.n = url, {"Authorization": f"Bearer {token}"}, n
        self.arrivals: dict[int, list[float]] = {}
        self.delivery: list[float] = []  # arrival (wall clock) minus the event's own `time`, live events
        self.connected = 0
        self.failed = 0
        self.out_of_order = 0  # subscribers whose events were not exactly 0, 1, 2, ...
        self.replayed: list[int] = []  # events in each subscriber's first message
        self.received: list[int] = []  # events each subscriber got in all
        self.failures: dict[str, int] = {}
        self.live = False  # arrivals count only once everyone is attached (replays are not live)

    async def one(self) -> None:
        """Runs until cancelled (the end of the measurement) or the server closes the socket."""
        expected = 0
        try:
            async with websockets.connect(self.url, additional_headers=self.headers, max_queue=None) as ws:
                self.connected += 1
                async for message in ws:
                    now, wall = time.perf_counter(), time.time()
                    events = json.loads(message)
                    if expected == 0:
                        self.replayed.append(len(events))
                    for event in events:
                        if event["seq"] != expected:
                            self.out_of_order += 1
                            raise RuntimeError(f"got seq {event['seq']}, expected {expected}")
                        expected += 1
                        if self.live:
                            self.arrivals.setdefault(event["seq"], []).append(now)
                            if "time" in event:
                                self.delivery.append(wall - event["time"])
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # counted by kind, so a failing attach says why
            self.failed += 1
            reason = f"{type(exc).__name__}: {str(exc)[:80]}"
            self.failures[reason] = self.failures.get(reason, 0) + 1
        self.received.append(expected)

    def fan_out_windows(self) -> list[tuple[float, float]]:
        """For every live event: (first arrival, last arrival) over the subscribers."""
        return [(min(t), max(t)) for t in self.arrivals.values()]

    def fan_out_lags(self) -> list[float]:
        """For every live event all subscribers got: last arrival minus first."""
        return [max(t) - min(t) for t in self.arrivals.values() if len(t) == self.connected and len(t) > 1]


def subscriber_process(url: str, token: str, n: int, conn: Connection) -> None:
    """The subscribers live in their own process: 500 sockets' worth of receiving and parsing must
    not slow the reads' client (one Python loop for both measured the client, not the server)."""

    async def run() -> None:
        subscribers = Subscribers(url, token, n)
        started = time.perf_counter()
        tasks = [asyncio.create_task(subscribers.one()) for _ in range(n)]
        while subscribers.connected + subscribers.failed < n and time.perf_counter() < started + 60:
            await asyncio.sleep(0.05)
        conn.send(round(time.perf_counter() - started, 2))
        assert await asyncio.to_thread(conn.recv) == "live"
        subscribers.live = True
        assert await asyncio.to_thread(conn.recv) == "stop"
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks)
        conn.send(
            {
                "subscribers": subscribers.connected,
                "subscriber_failure_reasons": subscribers.failures,
                "subscriber_failures": subscribers.failed,
                "event_delivery": _percentiles(subscribers.delivery),
                "event_fan_out_lag": _percentiles(subscribers.fan_out_lags()),
                "fan_out_windows": subscribers.fan_out_windows(),
                "live_events": len(subscribers.arrivals),
                "events_in_first_message": [min(subscribers.replayed, default=0), max(subscribers.replayed, default=0)],
                "subscribers_out_of_order": subscribers.out_of_order,
                "events_per_subscriber": [min(subscribers.received, default=0), max(subscribers.received, default=0)],
            }
        )

    asyncio.run(run())


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def scenario(args: argparse.Namespace, url: str, server_pid: int) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, timeout=10) as anonymous:
        token = (await anonymous.post("/api/auth/token", data={"username": USER, "password": PASSWORD})).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    pool = KeepAlivePool(url, headers, size=50)
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=10) as client:
        document = json.loads((REPO / "examples" / "workflows" / "sma_crossover.json").read_text())
        wid = (await client.post("/api/workflows", json={"document": document})).json()["id"]
        body = {"mode": "paper", "start": "2019-06-03", "end": "2027-12-30", "symbols": args.symbols}
        body["pace_ms"] = args.pace_ms  # a session per pace: the run is live all along, reporting every session
        started = await client.post(f"/api/workflows/{wid}/runs", json=body)
        assert started.status_code == 201, started.text
        run_id = started.json()["id"]
        path = f"/api/workflows/{wid}"
        if not args.pace_ms:  # unpaced: late subscribers, each replaying the whole finished run
            deadline = time.monotonic() + 120
            while (await client.get(f"/api/runs/{run_id}")).json()["status"] in ("queued", "running"):
                assert time.monotonic() < deadline, "the run did not finish"
                await asyncio.sleep(0.2)

        cpu, wall = cpu_seconds(server_pid), time.perf_counter()
        peer, peer_errors = await reads(pool, path, args.rate, args.seconds / 3)
        cpu_peer = (cpu_seconds(server_pid) - cpu) / (time.perf_counter() - wall)

        ws_url = url.replace("http://", "ws://") + f"/ws/runs/{run_id}"
        ours, theirs = multiprocessing.get_context("spawn").Pipe()
        process = multiprocessing.get_context("spawn").Process(
            target=subscriber_process, args=(ws_url, token["access_token"], args.subscribers, theirs), daemon=True
        )
        process.start()
        try:
            attach_s = await asyncio.to_thread(ours.recv)
            await asyncio.sleep(1.0)  # let the replays drain
            ours.send("live")
            cpu, wall = cpu_seconds(server_pid), time.perf_counter()
            cpu_clients = cpu_seconds(process.pid) + time.process_time()
            spans: list[tuple[float, float]] = []
            loaded, loaded_errors = await reads(pool, path, args.rate, args.seconds, spans)
            elapsed = time.perf_counter() - wall
            cpu_loaded = (cpu_seconds(server_pid) - cpu) / elapsed
            cpu_clients = (cpu_seconds(process.pid) + time.process_time() - cpu_clients) / elapsed
            run = (await client.get(f"/api/runs/{run_id}")).json()
            ours.send("stop")
            fan_out = await asyncio.to_thread(ours.recv)
        finally:
            process.join(30)
            process.kill()
        await client.post(f"/api/runs/{run_id}/cancel")
        stored = len((await client.get(f"/api/runs/{run_id}/events")).json())
        await pool.close()

    loaded_p, peer_p = _percentiles(loaded), _percentiles(peer)
    tail = _tail_vs_fan_out(spans, fan_out.pop("fan_out_windows"), elapsed)
    return {
        "subscribers": fan_out.pop("subscribers"),
        "attach_all_s": attach_s,
        "run_status_at_end": run["status"],
        "run_error": run["error"],
        "reads_per_s": args.rate,
        "reads": loaded_p,
        "read_errors": loaded_errors,
        "reads_no_subscribers": peer_p,
        "read_errors_no_subscribers": peer_errors,
        "p99_ratio_vs_no_subscribers": round(loaded_p["p99_ms"] / peer_p["p99_ms"], 2) if peer and loaded else None,
        **fan_out,
        "read_tail_vs_fan_out": tail,
        "run_events_stored_at_end": stored,
        "server_cpu_cores": {"no_subscribers": round(cpu_peer, 2), "with_subscribers": round(cpu_loaded, 2)},
        "bench_clients_cpu_cores_with_subscribers": round(cpu_clients, 2),
        "load_average": Path("/proc/loadavg").read_text().split()[:3],
        "goal_p99_ms": 50,
    }


def _tail_vs_fan_out(
    spans: list[tuple[float, float]], windows: list[tuple[float, float]], elapsed: float
) -> dict[str, float | None]:
    """Do the slowest reads coincide with fan-outs? The share of the slowest 1% of reads whose
    lifetime overlaps a live event's fan-out (first to last subscriber's arrival, both processes on
    the system's monotonic clock), next to the share of all reads that do, and of the time spent in
    fan-outs (CLOCK_MONOTONIC is shared by processes, so the windows and spans compare)."""
    if not spans or not windows:
        return {"slowest_1pct_overlapping_fan_out": None, "all_reads_overlapping_fan_out": None}
    windows = sorted(windows)

    def overlaps(start: float, end: float) -> bool:
        return any(a <= end and start <= b for a, b in windows)

    ordered = sorted(spans, key=lambda span: span[1] - span[0], reverse=True)
    slowest = ordered[: max(1, len(ordered) // 100)]
    return {
        "slowest_1pct_overlapping_fan_out": round(sum(overlaps(*s) for s in slowest) / len(slowest), 2),
        "all_reads_overlapping_fan_out": round(sum(overlaps(*s) for s in spans) / len(spans), 2),
        "time_share_in_fan_out": round(min(1.0, sum(b - a for a, b in windows) / elapsed), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=500)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    default_symbols = "FPT HPG MWG VCB VNM SSI MSN TCB VIC VHM GAS BID CTG MBB ACB VPB POW PLX REE DGC GVR SAB BVH STB"
    parser.add_argument("--symbols", nargs="*", default=default_symbols.split())  # enough to outlast the reads
    parser.add_argument(
        "--pace-ms", type=int, default=50, help="the paper run's pause after each session; 0: a finished run, replayed"
    )
    parser.add_argument("--server-log", type=Path, default=Path(tempfile.gettempdir()) / "qf-bench-load-server.log")
    args = parser.parse_args()
    assert args.subscribers <= 2000 and args.rate <= 1000 and args.seconds <= 60, "bounded by design"
    with tempfile.TemporaryDirectory(prefix="qf-bench-load-") as tmp:
        port, log = free_port(), Path(tmp) / "server.log"
        env = server_env(Path(tmp))  # its own failure (creating the user) surfaces as is, before any server log
        try:
            with serving(serve_command(port), port, env, log) as (url, process):
                result = asyncio.run(asyncio.wait_for(scenario(args, url, process.pid), HARD_LIMIT_S))
        finally:
            shutil.copyfile(log, args.server_log)  # kept: the server's own errors
    log_text = args.server_log.read_text(errors="replace")
    emit("server_load", **result, server_log=str(args.server_log), server_log_tracebacks=log_text.count("Traceback"))


if __name__ == "__main__":
    main()
