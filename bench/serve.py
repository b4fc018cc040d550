"""One arm as a real uvicorn server, 1 worker: `python -m bench.serve --arm A --url U --port P`."""

import argparse
from collections.abc import Callable

import uvicorn
from starlette.types import ASGIApp

from bench.arms import project, raw, stock
from bench.stats import StatsMiddleware, install_statement_counter

ARMS: dict[str, Callable[[str], ASGIApp]] = {
    "raw": raw.build_app,
    "stock": stock.build_app,
    "project": project.build_app,
}
# Bytes of request head h11 buffers while it waits for the rest. Its 16 KiB default is below the
# URL of a 10,000-row bulk delete (`?pks=...`, about 80 KiB); on loopback the head arrives in one
# read and passes anyway, but a split read must not fail a run.
MAX_REQUEST_HEAD = 1024 * 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--arm", choices=sorted(ARMS), required=True)
    parser.add_argument("--url", required=True, help="SQLAlchemy database URL")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    install_statement_counter()
    app = StatsMiddleware(ARMS[args.arm](args.url))
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=args.port,
        workers=1,
        log_level="warning",
        access_log=False,
        h11_max_incomplete_event_size=MAX_REQUEST_HEAD,
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
