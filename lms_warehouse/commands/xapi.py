"""`lms-warehouse ingest xapi --endpoint URL`: statements from a learning record store (LRS)."""

from __future__ import annotations

import argparse

from lms_warehouse.cli_support import (
    Parsers,
    add_organization_option,
    add_reject_share_option,
    check_rejects,
    progress,
    say,
)


def cmd_ingest_xapi(args: argparse.Namespace) -> int:
    from ingestion.warehouse import write_session
    from ingestion.xapi_lrs import LrsAuth, PullWindow, ingest_lrs

    window = PullWindow.from_settings(full=args.full, since_field=args.since_field, overlap_days=args.overlap_days)
    with write_session() as con:
        result = ingest_lrs(
            con, args.endpoint, auth=LrsAuth.from_env(), organization_id=args.organization,
            page_size=args.page_size, progress=progress, window=window,
        )
    say(result.summary())
    check_rejects(result, args.max_reject_share)
    return 0


def register(parsers: Parsers) -> None:
    xapi = parsers.ingest_sources.add_parser(
        "xapi",
        help="xAPI statements from a learning record store (auth: $LMS_XAPI_USERNAME/$LMS_XAPI_PASSWORD "
        "or $LMS_XAPI_TOKEN)",
    )
    xapi.add_argument("--endpoint", required=True, metavar="URL",
                      help="the LRS's xAPI endpoint, e.g. https://lrs.example/xapi/ (statements are under it)")
    xapi.add_argument("--page-size", type=int, default=500, help="statements per page asked for (default 500)")
    xapi.add_argument("--full", action="store_true",
                      help="pull every statement again and land only the missing ones (weekly, against late ones)")
    xapi.add_argument("--since-field", choices=("timestamp", "stored"), default=None,
                      help="the field the LRS filters `since` on (default: var xapi_since_field, timestamp as Ralph)")
    xapi.add_argument("--overlap-days", type=float, default=None, metavar="DAYS",
                      help="re-read this many days before the latest landed (default: var xapi_since_overlap_days, 7)")
    add_organization_option(xapi)
    add_reject_share_option(xapi)
    xapi.set_defaults(handler=cmd_ingest_xapi)
