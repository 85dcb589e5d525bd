"""``woda-sharing serve``: run the decision service over the register.

Exit codes: 0 after a clean stop; 2 for a configuration that is wrong, an
address that cannot be bound, or a missing ``serve`` extra.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from woda_sharing.cli import EXIT_OK
from woda_sharing.exceptions import UsageError

__all__ = ["register"]


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return int(text)


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``serve`` to *commands*."""
    p = commands.add_parser(
        "serve",
        help="run the decision service (HTTP) over the register",
        description="Serve sharing decisions over HTTP: decide one, decide many, the "
        "agreements in force, health, readiness and an OpenAPI description. Each calling "
        "system sends its bearer token and may ask only for the organisations the "
        "configuration lists for it. Needs the 'serve' extra: pip install 'woda-sharing[serve]'.",
    )
    p.add_argument("--config", metavar="FILE", help="the service configuration (JSON)")
    p.add_argument(
        "--db",
        metavar="PATH|URL",
        help="the register, overriding the configuration's (default: $WODA_REGISTER)",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument(
        "--port", type=_port, default=8080, help="port to listen on; 0 picks one (default: 8080)"
    )
    p.add_argument(
        "--new-token",
        action="store_true",
        help="print a new bearer token and the SHA-256 a configuration names it by, and exit",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run ``serve``."""
    from woda_sharing.service import load_config, new_token, token_digest  # noqa: PLC0415

    if args.new_token:
        token = new_token()
        print(f"token:        {token}")
        print(f"token_sha256: {token_digest(token)}")
        return EXIT_OK
    if args.config is None:
        raise UsageError("give --config FILE (or --new-token)")
    config = load_config(args.config)
    from woda_sharing import service  # noqa: PLC0415 - the web stack loads only here

    try:
        service.serve(
            config,
            host=args.host,
            port=args.port,
            db=args.db,
            announce=lambda url: print(f"serving on {url}", flush=True),
        )
    except OSError as e:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {e.strerror or e}") from e
    print("stopped", file=sys.stderr)
    return EXIT_OK
