"""A stand-in for the Unified.to LMS API, for tests and the demo.

`GET /lms/{connection_id}/{entity}?limit=&offset=` serves the given objects as bare JSON arrays, checks
the bearer token when one is set, and can misbehave on demand: per entity, a list of faults is consumed
one per request, in order (a 500, a 429 with Retry-After, a malformed body, a slow answer).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ENTITIES = ("student", "instructor", "course", "class")


@dataclass(frozen=True)
class Fault:
    """One misbehaving answer. `status` 200 with a `body` serves that text instead of the page."""

    status: int = 500
    retry_after: str | None = None
    body: str | None = None
    delay_seconds: float = 0.0

    @classmethod
    def server_error(cls, status: int = 500) -> Fault:
        return cls(status=status)

    @classmethod
    def rate_limited(cls, retry_after: float | str = 1) -> Fault:
        return cls(status=429, retry_after=str(retry_after))

    @classmethod
    def malformed(cls, body: str = '{"not": "an array"') -> Fault:
        return cls(status=200, body=body)

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        return cls(status=200, delay_seconds=seconds)


FaultSpec = Fault | int


def create_app(
    data: Mapping[str, Sequence[dict[str, Any]]],
    *,
    token: str | None = None,
    faults: Mapping[str, Sequence[FaultSpec]] | None = None,
) -> Starlette:
    """The API over `data` (entity -> objects); `app.state.requests` records (entity, limit, offset)."""
    pending = {entity: [as_fault(f) for f in specs] for entity, specs in (faults or {}).items()}
    requests: list[tuple[str, int, int]] = []

    async def list_entity(request: Request) -> Response:
        if token is not None and request.headers.get("authorization") != f"Bearer {token}":
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        entity = request.path_params["entity"]
        if entity not in ENTITIES:
            return JSONResponse({"error": f"unknown object {entity}"}, status_code=404)
        try:
            limit = int(request.query_params.get("limit", "100"))
            offset = int(request.query_params.get("offset", "0"))
        except ValueError:
            return JSONResponse({"error": "limit and offset must be integers"}, status_code=400)
        if limit < 1 or offset < 0:
            return JSONResponse({"error": "limit must be >= 1 and offset >= 0"}, status_code=400)
        requests.append((entity, limit, offset))
        queue = pending.get(entity)
        fault = queue.pop(0) if queue else None
        if fault is not None:
            answer = await misbehave(fault)
            if answer is not None:
                return answer
        return JSONResponse(list(data.get(entity, []))[offset: offset + limit])

    app = Starlette(routes=[Route("/lms/{connection_id}/{entity}", list_entity, methods=["GET"])])
    app.state.requests = requests
    return app


async def misbehave(fault: Fault) -> Response | None:
    """The faulty answer, or None when the fault only delays the normal one."""
    if fault.delay_seconds:
        await asyncio.sleep(fault.delay_seconds)
    if fault.body is not None:
        return Response(fault.body, status_code=fault.status, media_type="application/json")
    if fault.status == 200:
        return None
    headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else None
    return JSONResponse({"error": "simulated fault"}, status_code=fault.status, headers=headers)


def as_fault(spec: FaultSpec) -> Fault:
    return spec if isinstance(spec, Fault) else Fault(status=spec)


@contextmanager
def serve_in_thread(app: Starlette, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve the app on a free local port in a background thread; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the simulator server did not start")
            threading.Event().wait(0.01)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def load_catalog_dir(directory: Path) -> dict[str, list[dict[str, Any]]]:
    """lms_<entity>.json files of a folder, as the simulator's data."""
    return {
        entity: json.loads((directory / f"lms_{entity}.json").read_text())
        for entity in ENTITIES
        if (directory / f"lms_{entity}.json").is_file()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve a catalog folder as a Unified.to-style LMS API.")
    parser.add_argument("directory", type=Path, help="folder with lms_student.json, lms_class.json, ...")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--token", default=None, help="require this bearer token")
    args = parser.parse_args(argv)
    uvicorn.run(create_app(load_catalog_dir(args.directory), token=args.token), host="127.0.0.1", port=args.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
