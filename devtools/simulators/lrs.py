"""A small learning record store (LRS) for tests and the demo: the xAPI statements resource, read side.

`GET {base}/statements` checks `X-Experience-API-Version`, and basic or bearer auth when credentials are
set; `since` keeps statements after that instant (exclusive), `limit` sizes a page, and each answer is
`{"statements": [...], "more": "<relative URL of the next page>" or ""}`, oldest first. Which instant `since`
compares is `since_field`: `stored` as the xAPI spec says (1.0.3, part 3, 2.1.3), or `timestamp` as Ralph, the
Open edX LRS, does (its Elasticsearch and MongoDB backends filter and sort statements on `timestamp`), so a
statement stored late with an older timestamp is behind a `since` taken from earlier pulls. Faults
(a 500, a 429 with Retry-After, a malformed body...) are consumed one per request, in order.
`app.state.statements` may grow between runs; `app.state.requests` records each request's query and headers.
"""

from __future__ import annotations

import argparse
import base64
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from devtools.simulators.unified_lms import FaultSpec, as_fault, misbehave

XAPI_VERSION_HEADER = "X-Experience-API-Version"
BASE_PATH = "/xapi"


def create_app(
    statements: Sequence[dict[str, Any]],
    *,
    basic: tuple[str, str] | None = None,
    token: str | None = None,
    faults: Sequence[FaultSpec] = (),
    default_limit: int = 100,
    since_field: str = "stored",
) -> Starlette:
    """The LRS over `statements` (each with its `stored` and `timestamp` instants)."""
    if since_field not in ("stored", "timestamp"):
        raise ValueError(f"since_field must be 'stored' or 'timestamp', got {since_field!r}")
    pending = [as_fault(f) for f in faults]
    requests: list[dict[str, Any]] = []
    accepted = {f"Bearer {token}"} if token else set()
    if basic:
        accepted.add("Basic " + base64.b64encode(f"{basic[0]}:{basic[1]}".encode()).decode())

    async def get_statements(request: Request) -> Response:
        requests.append({"query": dict(request.query_params), "headers": dict(request.headers)})
        if accepted and request.headers.get("authorization") not in accepted:
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        if not request.headers.get(XAPI_VERSION_HEADER, "").startswith("1.0"):
            return JSONResponse({"error": f"missing or unsupported {XAPI_VERSION_HEADER}"}, status_code=400)
        if pending:
            answer = await misbehave(pending.pop(0))
            if answer is not None:
                return answer
        query = request.query_params
        try:
            limit = int(query.get("limit") or default_limit) or default_limit
            cursor = int(query.get("cursor", "0"))
            since = _instant(query["since"]) if query.get("since") else None
        except ValueError:
            return JSONResponse({"error": "bad limit, cursor or since"}, status_code=400)
        matching = sorted(
            (s for s in app.state.statements if since is None or _instant(s[since_field]) > since),
            key=lambda s: _instant(s[since_field]),
        )
        page = matching[cursor: cursor + limit]
        more = ""
        if cursor + limit < len(matching):
            params = {"cursor": cursor + limit, "limit": limit, **({"since": query["since"]} if since else {})}
            more = f"{BASE_PATH}/statements?{urlencode(params)}"
        return JSONResponse({"statements": page, "more": more}, headers={XAPI_VERSION_HEADER: "1.0.3"})

    app = Starlette(routes=[Route(f"{BASE_PATH}/statements", get_statements, methods=["GET"])])
    app.state.statements = list(statements)
    app.state.requests = requests
    return app


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve a JSON Lines file of xAPI statements as an LRS.")
    parser.add_argument("statements", type=Path, help="JSON Lines file of statements, each with `stored`")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--token", default=None, help="require this bearer token")
    parser.add_argument("--since-field", choices=("stored", "timestamp"), default="stored",
                        help="what `since` filters on: stored (the xAPI spec) or timestamp (Ralph)")
    args = parser.parse_args(argv)
    lines = args.statements.read_text(encoding="utf-8").splitlines()
    app = create_app([json.loads(line) for line in lines if line.strip()], token=args.token,
                     since_field=args.since_field)
    uvicorn.run(app, host="127.0.0.1", port=args.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
