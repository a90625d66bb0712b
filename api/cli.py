"""The ``gongzhi`` command."""

from __future__ import annotations

import argparse
import logging
import sys

from infra.settings import SettingsError, load_settings


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from infra.demo import DemoLoader
    from infra.persistence import open_application

    settings = load_settings()
    application = open_application(settings)
    if args.demo and not application.recorder.max_notification_id():
        DemoLoader(application).load()
    application.close()
    where = (settings.database_url and "PostgreSQL") or f"SQLite in {settings.data_dir.resolve()}"
    print(f"gongzhi: store on {where}; API docs at http://{args.host}:{args.port}/docs", file=sys.stderr)
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=args.access_log,
        log_level="info",
    )
    return 0


def _demo(_: argparse.Namespace) -> int:
    from infra.demo import DemoLoader
    from infra.persistence import open_application

    application = open_application(load_settings())
    try:
        ids = DemoLoader(application).load()
    except RuntimeError as refusal:
        print(f"gongzhi demo: {refusal}", file=sys.stderr)
        return 1
    finally:
        application.close()
    for name, identifier in ids.items():
        print(f"{name}: {identifier}")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="gongzhi", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="API processes sharing the store")
    serve.add_argument("--access-log", action="store_true", help="log every request")
    serve.add_argument("--demo", action="store_true", help="load the demo data into an empty store first")
    serve.set_defaults(handler=_serve)
    demo = commands.add_parser("demo", help="load the demo data into an empty store")
    demo.set_defaults(handler=_demo)
    return root


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except SettingsError as error:
        print(f"gongzhi: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
