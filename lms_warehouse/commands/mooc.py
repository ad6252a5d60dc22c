"""`ingest mooc`, `ingest h5p` and `simulate`: the MOOC export / Open edX and H5P APIs over HTTP."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lms_warehouse.cli_support import CommandError, Parsers, add_organization_option, progress, say

if TYPE_CHECKING:
    from ingestion.mooc_landing import FetchRunResult


def register(parsers: Parsers) -> None:
    mooc = parsers.ingest_sources.add_parser(
        "mooc", help="MOOC grades, progress, discussions over HTTP (export API or Open edX APIs)"
    )
    mooc.add_argument("--api", choices=("export", "openedx"), default="export",
                      help="export: the MOOC export API (default); openedx: the Open edX REST APIs")
    mooc.set_defaults(handler=cmd_ingest_mooc)
    h5p = parsers.ingest_sources.add_parser(
        "h5p", help="H5P scores, video progress and dashboard of each enrolled user (after `ingest mooc`)"
    )
    h5p.add_argument("--concurrency", type=int, default=8, help="requests in flight at once (default 8)")
    h5p.set_defaults(handler=cmd_ingest_h5p)
    for sub, token in ((mooc, "LMS_MOOC_TOKEN"), (h5p, "LMS_H5P_TOKEN")):
        sub.add_argument("--base-url", required=True, help=f"API base URL (bearer token: ${token})")
        sub.add_argument("--course-id", action="append", required=True, dest="course_ids", metavar="ID",
                         help="a course to fetch; repeat for several")
        add_organization_option(sub)

    simulate = parsers.commands.add_parser(
        "simulate", help="serve the MOOC export, Open edX and H5P API simulator on 127.0.0.1"
    )
    simulate.add_argument("--port", type=int, default=8766)
    simulate.add_argument("--dataset", type=Path, help="a JSON dataset file (default: the demo's learners)")
    simulate.add_argument("--mooc-token", help="require this bearer token on the MOOC and Open edX routes")
    simulate.add_argument("--h5p-token", help="require this bearer token on the H5P routes")
    simulate.set_defaults(handler=cmd_simulate)


def cmd_ingest_mooc(args: argparse.Namespace) -> int:
    from ingestion.mooc_export import ingest_mooc_export
    from ingestion.openedx_api import ingest_openedx
    from ingestion.warehouse import write_session

    ingest = ingest_openedx if args.api == "openedx" else ingest_mooc_export
    with write_session() as con:
        result = ingest(con, args.base_url, args.course_ids, organization_id=args.organization, progress=progress)
    return _report(result)


def cmd_ingest_h5p(args: argparse.Namespace) -> int:
    from ingestion.h5p import ingest_h5p
    from ingestion.warehouse import write_session

    if args.concurrency < 1:
        raise CommandError(f"--concurrency must be at least 1, got {args.concurrency}")
    with write_session() as con:
        result = ingest_h5p(con, args.base_url, args.course_ids, concurrency=args.concurrency,
                            organization_id=args.organization, progress=progress)
    return _report(result)


def _report(result: FetchRunResult) -> int:
    say(result.summary())
    if not result.failed_requests:
        return 0
    for line in result.failure_lines():
        say(f"  failed: {line}")
    parts = [f"{result.failed_requests} of {result.requests} requests failed"]
    if result.failed_courses:
        parts.append(f"{len(result.failed_courses)} of {len(result.courses)} courses not landed")
    if result.failed_users:
        parts.append(f"{result.failed_users} users not landed")
    raise CommandError("; ".join(parts) + " (what succeeded was landed; see landing.http_fetch_log, then re-run)")


def cmd_simulate(args: argparse.Namespace) -> int:
    # the simulator is tooling (devtools/), not the product: loaded only here, with its own dependencies
    try:
        from devtools.demo.run import demo_mooc_dataset
        from devtools.simulators.mooc_api import serve
    except ImportError as exc:
        raise CommandError(f"`simulate` needs the devtools extra ({exc.name} is missing): run `make demo`, or "
                           "`pip install -e '.[devtools]'`") from None

    if args.dataset is not None:
        dataset, origin = _read_dataset(args.dataset), str(args.dataset)
    else:
        dataset, origin = demo_mooc_dataset(), "the demo's learners"
    tokens = {name: token for name, token in (("mooc", args.mooc_token), ("h5p", args.h5p_token)) if token}
    courses = ", ".join(dataset.get("courses", {}))
    say(f"serving the MOOC export, Open edX and H5P APIs ({origin}; courses: {courses}) "
        f"on http://127.0.0.1:{args.port} (Ctrl-C stops)")
    serve(dataset, port=args.port, tokens=tokens or None)
    return 0


def _read_dataset(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommandError(f"{path}: cannot read the dataset ({exc}); give a JSON file") from None
