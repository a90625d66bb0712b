"""The ``gongzhi`` command."""

from __future__ import annotations

import argparse
import io
import logging
import os
import sys
from functools import partial
from typing import Any

from api.audit_commands import add_audit_commands
from api.key_commands import add_key_commands, aware_moment, first_admin_key
from infra.database import Busy
from infra.log_format import configure_logging
from infra.settings import Settings, SettingsError, load_settings
from infra.views import UnknownView

log = logging.getLogger("gongzhi")


def _serve(args: argparse.Namespace) -> int:
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from infra.demo import DemoLoader
    from infra.store.application import open_application

    settings = load_settings()
    json_logs = settings.log_format == "json"
    say = log.info if json_logs else partial(print, file=sys.stderr)
    application = open_application(settings)
    if args.demo and not application.recorder.max_notification_id():
        DemoLoader(application, progress=io.StringIO() if json_logs else sys.stderr).load()
        say(f"gongzhi: loaded the demo: {DemoLoader.SUMMARY}")
    application.close()
    if json_logs:  # a secret never goes to a log collector
        say("gongzhi: make an admin key with `gongzhi keys create --name me --role admin`")
    elif first_key := first_admin_key(settings):
        say(
            "gongzhi: no API keys yet, so this admin key was made; it is shown only now, keep it:\n"
            f"\n    {first_key}\n\n"
            "Send it as 'Authorization: Bearer <key>'; make others with `gongzhi keys create`."
        )
    where = (settings.database_url and "PostgreSQL") or f"SQLite in {settings.data_dir.resolve()}"
    say(f"gongzhi: store on {where}")
    say(
        f"gongzhi: try the API at http://{args.host}:{args.port}/docs (Authorize with an admin key: "
        "the one shown when the store was new, or one from `gongzhi keys create --name me --role admin`)"
    )
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=args.access_log and settings.log_format == "text",  # JSON logs have their own
        proxy_headers=args.proxy_headers,
        server_header=False,
        log_level="info",
        log_config=LOGGING_CONFIG if settings.log_format == "text" else None,
    )
    return 0


def _demo(_: argparse.Namespace) -> int:
    from infra.demo import DemoLoader
    from infra.store.application import open_application

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


def _project(args: argparse.Namespace) -> int:
    """Keeps the views up to date in this process until interrupted."""
    from infra.store.application import open_application
    from infra.views import open_views

    settings = load_settings()
    if args.source == "kafka" and not settings.kafka_bootstrap_servers:
        print("gongzhi project: --source kafka needs GONGZHI_KAFKA_BOOTSTRAP_SERVERS", file=sys.stderr)
        return 2
    application = open_application(settings)
    runner = open_views(application, args.views)
    print(f"gongzhi: projecting {', '.join(runner.views)} from the {args.source}", file=sys.stderr)
    follower: Any
    if args.source == "kafka":
        from infra.kafka.feeder import KafkaFeeder

        follower = KafkaFeeder(runner, settings)
    else:
        follower = runner
    try:
        follower.run_forever()
    except KeyboardInterrupt:
        follower.stop()
    finally:
        if args.source == "kafka":
            follower.close()
        application.close()
    return 0


def _relay(_: argparse.Namespace) -> int:
    """Publishes the store's events to Kafka until interrupted."""
    from infra.kafka.relay import Relay
    from infra.store.application import open_application

    settings = load_settings()
    if not settings.kafka_bootstrap_servers:
        print("gongzhi relay: set GONGZHI_KAFKA_BOOTSTRAP_SERVERS (host:port of Kafka)", file=sys.stderr)
        return 2
    application = open_application(settings)
    relay = Relay(application.recorder, settings)
    print(
        f"gongzhi: relaying to Kafka at {settings.kafka_bootstrap_servers} "
        f"from position {relay.position() + 1}",
        file=sys.stderr,
    )
    try:
        relay.run_forever()
    except KeyboardInterrupt:
        relay.stop()
    finally:
        relay.close()
        application.close()
    return 0


def _rebuild(args: argparse.Namespace) -> int:
    """Rebuilds views into fresh tables and swaps them in when caught up."""
    if args.source == "kafka":
        return _rebuild_from_kafka(args)
    if args.as_of or args.into:
        return _rebuild_as_of(args)
    from infra.parallel_rebuild import parallel_fill
    from infra.progress import Progress
    from infra.store.application import open_application
    from infra.views import open_views

    settings = load_settings()
    application = open_application(settings)
    try:
        runner = open_views(application, args.views)
        progress = Progress(f"rebuilding {', '.join(runner.views)}", runner.head())
        elsewhere = parallel_fill(settings, runner, args.jobs)
        for tables in runner.rebuild(progress=progress, fill_elsewhere=elsewhere):
            print(f"{tables.view.name}: generation {tables.generation} live at {tables.position()}")
        progress.finish()
    finally:
        application.close()
    return 0


def _rebuild_from_kafka(args: argparse.Namespace) -> int:
    """Rebuilds every view from offset 0 of the topics, beside the live projectors."""
    from infra.kafka.rebuild import rebuild_from_kafka
    from infra.progress import Progress
    from infra.store.application import open_application
    from infra.views import open_views

    settings = load_settings()
    refusal = _kafka_rebuild_refusal(args, settings)
    if refusal is not None:
        print(f"gongzhi projections rebuild: {refusal}", file=sys.stderr)
        return 2
    application = open_application(settings)
    try:
        runner = open_views(application)
        progress = Progress(f"rebuilding {', '.join(runner.views)} from Kafka", None)
        fresh = rebuild_from_kafka(runner, settings, progress)
        progress.finish()
        for tables in fresh:
            print(f"{tables.view.name}: generation {tables.generation} live at {tables.position()}")
    finally:
        application.close()
    return 0


def _kafka_rebuild_refusal(args: argparse.Namespace, settings: Settings) -> str | None:
    if args.as_of or args.into:
        return "--as-of and --into build from the store; drop --source kafka"
    if args.views:
        return "--source kafka rebuilds every view at once (they share the offsets); name none"
    if not settings.kafka_bootstrap_servers:
        return "--source kafka needs GONGZHI_KAFKA_BOOTSTRAP_SERVERS"
    return None


def _rebuild_as_of(args: argparse.Namespace) -> int:
    """Builds views as they stood at a moment into a separate file or schema."""
    from infra.audit.point_in_time import TargetRefused, rebuild_as_of
    from infra.progress import Progress
    from infra.store.application import open_application

    if not (args.as_of and args.into):
        print("gongzhi projections rebuild: --as-of and --into go together", file=sys.stderr)
        return 2
    settings = load_settings()
    application = open_application(settings)
    try:
        head = application.recorder.max_notification_id() or 0
        progress = Progress(f"views as of {args.as_of.isoformat()} into {args.into}", head)
        built = rebuild_as_of(application, settings, args.as_of, args.into, args.views, progress)
        progress.finish()
    except TargetRefused as refusal:
        print(f"gongzhi projections rebuild: {refusal}", file=sys.stderr)
        return 2
    finally:
        application.close()
    for name, position in built.items():
        print(f"{name}: as of {args.as_of.isoformat()} in {args.into}, log read to {position}")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="gongzhi", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="API processes sharing the store")
    serve.add_argument("--access-log", action="store_true", help="log every request")
    serve.add_argument(
        "--proxy-headers", action="store_true", help="trust X-Forwarded-* from a reverse proxy"
    )
    serve.add_argument("--demo", action="store_true", help="load the demo data into an empty store first")
    serve.set_defaults(handler=_serve)
    demo = commands.add_parser("demo", help="load the demo data into an empty store")
    demo.set_defaults(handler=_demo)
    project = commands.add_parser("project", help="run the projections in their own process")
    project.add_argument("views", nargs="*", help="view names (default: all)")
    project.add_argument(
        "--source", choices=["store", "kafka"], default="store", help="the store's log, or the Kafka topics"
    )
    project.set_defaults(handler=_project)
    relay = commands.add_parser("relay", help="publish every stored event to Kafka, in order")
    relay.set_defaults(handler=_relay)
    projections = commands.add_parser("projections", help="manage the read models")
    projection_commands = projections.add_subparsers(dest="action", required=True)
    rebuild = projection_commands.add_parser("rebuild", help="rebuild views from the first event")
    rebuild.add_argument("views", nargs="*", help="view names (default: all)")
    rebuild.add_argument(
        "--as-of",
        type=aware_moment,
        help="build the views as they stood at this ISO 8601 time (with UTC offset), into --into",
    )
    rebuild.add_argument(
        "--into", help="a new SQLite file, or a new PostgreSQL schema when the store is PostgreSQL"
    )
    rebuild.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="processes that share the work, each with a group of views (default: one per core)",
    )
    rebuild.add_argument(
        "--source",
        choices=["store", "kafka"],
        default="store",
        help="the store's log, or the Kafka topics from offset 0 (every view, beside the live projectors)",
    )
    rebuild.set_defaults(handler=_rebuild)
    add_audit_commands(commands)
    add_key_commands(commands)
    return root


def main(argv: list[str] | None = None) -> int:
    configure_logging("json" if os.environ.get("GONGZHI_LOG_FORMAT") == "json" else "text")
    args = parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except (SettingsError, UnknownView, Busy) as error:
        print(f"gongzhi: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
