"""The `linesheets` console script: parse arguments, call one stage, report, set the exit code."""

from __future__ import annotations

import argparse
import copy
import getpass
import os
import sys
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator import __version__
from generator.errors import ContentError, LinesheetsError, SheetError
from generator.settings import BuildSettings

if TYPE_CHECKING:
    from generator.report import BuildReport
    from order_api.orders_cli import Scope


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except LinesheetsError as exc:
        _print_error(exc)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _print_error(exc: LinesheetsError) -> None:
    """Every problem of a content error, one a line, then their count; else the message."""
    if isinstance(exc, ContentError):
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        count = len(exc.problems)
        print(f"{count} problem{'s' if count != 1 else ''} found.", file=sys.stderr, flush=True)
    else:
        print(f"error: {exc}", file=sys.stderr, flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="linesheets", description="Wholesale linesheets and order links for fashion brands.")
    parser.add_argument("--version", action="version", version=f"linesheets {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="validate the content; print every problem")
    check.add_argument("content", nargs="?", type=Path, default=Path("content"),
                       help="the content directory (default: content/)")
    check.set_defaults(run=_check)

    build = commands.add_parser("build", help="render the site into public/",
                                description="Check the content and write every page of every "
                                "link; only changed files are written.")
    _add_site_arguments(build)
    build.add_argument("--now", type=_moment, default=None, metavar="DATETIME",
                       help="render link and season states as of this ISO 8601 moment "
                            "(default: now), e.g. to preview a release")
    build.add_argument("--watch", action="store_true",
                       help="then rebuild each time a content or template file changes, and "
                            "when a link or season changes state (Ctrl-C stops)")
    build.set_defaults(run=_build)

    importer = commands.add_parser(
        "import", help="import a product spreadsheet (XLSX or CSV) into a season",
        description="Read a brand's product spreadsheet into seasons/<id>/products.yaml; print "
                    "every problem of every row, or what was added, updated and removed.")
    importer.add_argument("file", nargs="?", type=Path,
                          help="the spreadsheet: .xlsx, or .csv in UTF-8 or Shift_JIS")
    importer.add_argument("--season", required=True, help="the season's id (its folder name)")
    importer.add_argument("--content", type=Path, default=Path("content"),
                          help="the content directory (default: content/)")
    importer.add_argument("--template", action="store_true",
                          help="write a blank XLSX with the brand's columns instead")
    importer.add_argument("--out", type=Path, help="where --template writes "
                          "(default: products-<season>.xlsx)")
    importer.set_defaults(run=_import)

    keys = commands.add_parser("keys", help="the sealed links' page keys")
    keys_commands = keys.add_subparsers(dest="action", required=True, metavar="ACTION")
    rotate = keys_commands.add_parser(
        "rotate", help="give a link a new page key and re-seal its pages",
        description="Make a new key version for a link, then rebuild so its sealed pages use "
                    "it. Buyers unlock again with the same passcode.")
    rotate.add_argument("link", help="the link's slug")
    _add_site_arguments(rotate)
    rotate.set_defaults(run=_rotate, now=None)

    serve = commands.add_parser(
        "serve", help="build, then serve the site and the endpoint on one origin (local use)",
        description="Build the site, then serve public/ and the order endpoint together on "
                    "127.0.0.1 for local use and demos. The site is rebuilt each time a "
                    "content or template file changes, and a later `linesheets build` is "
                    "picked up too, without a restart. Use `linesheets api` and a CDN in "
                    "production.")
    _add_site_arguments(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on "
                       "(default: 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8000, help="port (default: 8000)")
    serve.set_defaults(run=_serve, now=None)

    api = commands.add_parser(
        "api", help="run the order endpoint alone (production)",
        description="Serve the order endpoint (no site) with uvicorn. Settings come from the "
                    "environment: LINESHEETS_TOKEN_SECRET (required, at least 32 bytes, the "
                    "same on every instance), LINESHEETS_MANIFEST (default "
                    "build/private/manifest.json), LINESHEETS_KEYS (default "
                    "build/private/keys.json), LINESHEETS_SITE_ORIGIN (the only origin CORS "
                    "allows), DATABASE_URL (default sqlite:///data/orders.sqlite3). See "
                    "docs/api.md.")
    api.add_argument("--host", default="127.0.0.1", help="address to listen on "
                     "(default: 127.0.0.1, behind your reverse proxy)")
    api.add_argument("--port", type=_port, default=8000, help="port (default: 8000)")
    api.add_argument("--workers", type=_workers, default=1,
                     help="worker processes (default: 1)")
    api.set_defaults(run=_api)

    _add_orders_commands(commands)

    passcode = commands.add_parser("passcode", help="passcode tools")
    passcode_commands = passcode.add_subparsers(dest="action", required=True, metavar="ACTION")
    hash_command = passcode_commands.add_parser(
        "hash", help="print a hash of a passcode to put in a link or buyer file")
    hash_command.set_defaults(run=_passcode_hash)
    return parser


def _add_orders_commands(commands: Any) -> None:
    orders = commands.add_parser(
        "orders", help="list, show and export the stored orders; resend notifications",
        description="Read the order store the endpoint writes (DATABASE_URL, default "
                    "sqlite:///data/orders.sqlite3). Times are in the brand's timezone from "
                    "the manifest (LINESHEETS_MANIFEST, default build/private/manifest.json), "
                    "else UTC. See docs/orders.md.")
    actions = orders.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="a table of orders, oldest first, with totals")
    _add_order_filters(listing)
    listing.set_defaults(run=_orders_list)
    show = actions.add_parser(
        "show", help="one order with its price breakdown and notifications",
        description="Print one order: header, buyer, address, note, lines with their price "
                    "breakdown, totals, and where its notifications stand. With --html, "
                    "write its printable confirmation page instead.")
    show.add_argument("number", help="the order number, e.g. SS27-000042")
    show.add_argument("--html", type=Path, metavar="FILE",
                      help="write the order's confirmation page (HTML, print to PDF) here")
    _add_order_store(show)
    show.set_defaults(run=_orders_show)
    export = actions.add_parser(
        "export", help="one row per order line as CSV, XLSX or JSON",
        description="Export the selected orders: CSV (UTF-8 with BOM) and XLSX have one row "
                    "per order line; JSON has the whole order documents. Written atomically.")
    export.add_argument("--format", choices=("csv", "xlsx", "json"), default="csv",
                        help="default: csv")
    export.add_argument("--out", type=Path, metavar="FILE",
                        help="where to write (default, or -: standard output; xlsx needs a "
                             "file)")
    _add_order_filters(export)
    export.set_defaults(run=_orders_export)
    resend = actions.add_parser(
        "resend", help="send an order's given-up notifications again",
        description="Queue again the notifications of one order that were given up after "
                    "their tries (e.g. the webhook was down for hours): the running endpoint "
                    "sends them within a minute, retrying as for a new order.")
    resend.add_argument("number", help="the order number, e.g. SS27-000042")
    resend.add_argument("--channel", choices=("brand-email", "buyer-email", "webhook"),
                        help="only this channel (default: every given-up one)")
    _add_order_store(resend)
    resend.set_defaults(run=_orders_resend)


def _add_order_filters(command: argparse.ArgumentParser) -> None:
    command.add_argument("--link", help="only this link's orders (its slug)")
    command.add_argument("--season", help="only this season's orders (its id)")
    command.add_argument("--since", type=_day_or_moment, metavar="DATE",
                         help="received from this day or moment on, e.g. 2027-01-10 or "
                              "2027-01-10T09:00+09:00 (no offset: the brand's timezone)")
    command.add_argument("--until", type=_day_or_moment, metavar="DATE",
                         help="received up to this day (included) or before this moment")
    _add_order_store(command)


def _add_order_store(command: argparse.ArgumentParser) -> None:
    command.add_argument("--database", metavar="URL",
                         help="the order store (default: $DATABASE_URL, else "
                              "sqlite:///data/orders.sqlite3)")
    command.add_argument("--timezone", type=_timezone, metavar="ZONE",
                         help="show times in this IANA timezone, e.g. Europe/Paris (default: "
                              "the brand's)")


def _add_site_arguments(command: argparse.ArgumentParser) -> None:
    """The content, output and private folders every building command takes."""
    command.add_argument("content", nargs="?", type=Path, default=Path("content"),
                         help="the content directory (default: content/)")
    command.add_argument("--out", type=Path, default=Path("public"),
                         help="where the site goes (default: public/)")
    command.add_argument("--private", type=Path, default=Path("build/private"),
                         help="where the endpoint's private files go (default: build/private/)")


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an ISO 8601 date and time, e.g. "
                                         "2027-01-15T10:00:00+09:00") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"'{text}' has no UTC offset; add one, e.g. +09:00")
    return moment


def _day_or_moment(text: str) -> date | datetime:
    try:
        if "T" in text or " " in text:
            return datetime.fromisoformat(text)
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an ISO 8601 date or date and time, "
                                         "e.g. 2027-01-10 or 2027-01-10T09:00+09:00") from None


def _timezone(text: str) -> ZoneInfo:
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"'{text}' is not a timezone; give an IANA name such "
                                         "as Asia/Tokyo, Europe/Paris or UTC") from None


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port; give a number from 1 to "
                                         "65535, e.g. 8000")
    return int(text)


def _workers(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of workers; give 1 or "
                                         "more")
    return int(text)


def _build(args: argparse.Namespace) -> int:
    if args.watch:
        _stay_loaded()  # from the first build on
    report = _build_once(args)
    _announce(args.out, report)
    if args.watch:
        _watch(args, report)
    return 0


def _build_once(args: argparse.Namespace) -> BuildReport:
    """Build the content of `args` as of --now, or of this moment."""
    from generator.fingerprint import unchanged_site
    from generator.report import BuildReport
    from generator.writer import read_manifest

    started = time.perf_counter()
    settings = _settings(args)
    last = read_manifest(settings.manifest)
    if unchanged_site(settings, last):  # before loading the catalog, templates and renderer
        return BuildReport.up_to_date(last, time.perf_counter() - started)
    from generator.build import run

    return run(settings, progress=sys.stderr.isatty(), check_unchanged=False, last=last)


def _settings(args: argparse.Namespace) -> BuildSettings:
    """The settings of a build of `args` as of --now, or of this moment: the asset cache
    and the site's manifest go beside --private."""
    private: Path = args.private
    return BuildSettings(content=args.content, now=args.now or datetime.now(UTC), out=args.out,
                private=private, cache=private.parent / "cache",
                manifest=private.parent / "public-manifest.json")


def _announce(out: Path, report: BuildReport) -> None:
    print(f"built {out}: {report.summary()}", flush=True)


def _stay_loaded() -> None:
    from generator.build import stay_loaded

    stay_loaded()


def _watch(args: argparse.Namespace, first: BuildReport, parent: int | None = None) -> None:
    """Rebuild the content of `args` on every change until stopped (see generator/watch.py)."""
    import signal

    from generator.watch import Watcher

    # Stopped by `kill` or by `linesheets serve` as by Ctrl-C: a rebuild under way then
    # discards its staged files instead of leaving them in the output folder.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    _stay_loaded()
    paths = _settings(args)
    Watcher((paths.content, paths.templates), lambda: _build_once(args),
            lambda report: _announce(args.out, report), _print_error,
            follow_clock=args.now is None, first=first,
            ignore=(paths.out, paths.private, paths.cache, paths.manifest)).run(parent)


def _serve(args: argparse.Namespace) -> int:
    # The endpoint's modules load only for the commands that run it (generator never
    # imports order_api at module level).
    import multiprocessing

    import uvicorn

    from order_api.app import create_app
    from order_api.settings import ApiSettings

    report = _build_once(args)
    _announce(args.out, report)
    # The watch runs in a child forked now, before the server starts any thread; it keeps
    # what its rebuilds reuse itself, so the server does not hold them. The server reloads
    # the endpoint's manifest when a rebuild changes it.
    context = (multiprocessing.get_context("fork")
               if "fork" in multiprocessing.get_all_start_methods()
               else multiprocessing.get_context("spawn"))
    watcher = context.Process(target=_watch, args=(args, report, os.getpid()),
                              name="linesheets-watch")
    watcher.start()
    try:
        app = create_app(ApiSettings.for_local(args.private), site=args.out)
        if args.host not in {"127.0.0.1", "localhost", "::1"}:
            print(f"warning: serving on {args.host}; `linesheets serve` is for local use, its "
                  "token secret lasts one run. Use `linesheets api` in production.",
                  file=sys.stderr)
        print(f"serving {args.out} and the order endpoint on http://{args.host}:{args.port}/ "
              "(Ctrl-C stops)", flush=True)
        uvicorn.run(app, host=args.host, port=args.port, log_config=_log_config())
    finally:
        watcher.terminate()  # SIGTERM: a rebuild under way discards what it staged
        watcher.join()
    return 0


def _api(args: argparse.Namespace) -> int:
    import uvicorn

    from order_api.published import load_published
    from order_api.settings import ApiSettings
    from order_api.store import open_store

    # Fail here, clearly, not in each worker: the build's files, and the order store (created
    # and migrated now, so workers start on the current schema).
    settings = ApiSettings.from_environment()
    load_published(settings.manifest, settings.keys)
    open_store(settings.database_url).close()
    uvicorn.run("order_api.app:serve_app", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_config=_log_config())
    return 0


def _log_config() -> dict[str, Any]:
    """uvicorn's logging, plus the endpoint's own logger (manifest reloads, errors)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["order_api"] = {"handlers": ["default"], "level": "INFO",
                                      "propagate": False}
    return config


def _rotate(args: argparse.Namespace) -> int:
    from generator.catalog import load_catalog  # not at the top: `api` starts without it
    from generator.seal import KeyStore

    catalog = load_catalog(args.content)
    if args.link not in catalog.links:
        raise LinesheetsError(f"no link '{args.link}' in {args.content}/links/; the links are: "
                              f"{', '.join(catalog.links)}")
    store = KeyStore.load(args.private / "keys.json")
    key = store.rotate(args.link)
    store.save()
    print(f"link '{args.link}' now seals with key version {key.version}")
    _announce(args.out, _build_once(args))
    return 0


def _check(args: argparse.Namespace) -> int:
    from generator.catalog import load_catalog  # not at the top: `api` starts without it

    catalog = load_catalog(args.content)
    print(f"ok: {catalog.summary()}")
    return 0


def _import(args: argparse.Namespace) -> int:
    # openpyxl loads in a fraction of a second, which only this command should pay.
    from generator.importer import import_products, write_template

    if args.template:
        if args.file is not None:
            raise LinesheetsError("--template writes a blank sheet and takes no FILE; give "
                                  "--out to name it")
        path = write_template(args.content, args.season, args.out)
        print(f"wrote {path}: fill in one row per SKU (or per style), then run "
              f"`linesheets import {path} --season {args.season}`")
        return 0
    if args.out is not None:
        raise LinesheetsError("--out names the file --template writes; an import writes "
                              f"{args.content}/seasons/{args.season}/products.yaml")
    if args.file is None:
        raise LinesheetsError("give the spreadsheet to import: linesheets import FILE --season "
                              "ID, or --template for a blank one")
    try:
        report = import_products(args.file, args.content, args.season, progress=sys.stderr)
    except SheetError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        count = len(exc.problems)
        print(f"{count} problem{'s' if count != 1 else ''} found; nothing was written.",
              file=sys.stderr)
        return 1
    print(report.summary())
    return 0


def _orders_scope(args: argparse.Namespace) -> Scope:
    # The store's modules load only for the commands that read it (generator never imports
    # order_api at module level).
    from order_api.orders_cli import Scope

    return Scope(database=args.database, timezone=args.timezone,
                 link=getattr(args, "link", None), season=getattr(args, "season", None),
                 since=getattr(args, "since", None), until=getattr(args, "until", None))


def _orders_list(args: argparse.Namespace) -> int:
    from order_api.orders_cli import list_orders

    print(list_orders(_orders_scope(args)))
    return 0


def _orders_show(args: argparse.Namespace) -> int:
    from order_api.orders_cli import print_order, show_order

    if args.html is None:
        print(show_order(_orders_scope(args), args.number))
        return 0
    print_order(_orders_scope(args), args.number, args.html)
    print(f"wrote {args.html}: the confirmation of order {args.number}")
    return 0


def _orders_export(args: argparse.Namespace) -> int:
    from order_api.orders_cli import export_orders, write_atomically

    to_stdout = args.out is None or str(args.out) == "-"
    if to_stdout and args.format == "xlsx":
        raise LinesheetsError("an XLSX export needs a file: add --out orders.xlsx")
    data, orders, rows = export_orders(_orders_scope(args), args.format)
    if to_stdout:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return 0
    write_atomically(args.out, data)
    what = f"{orders} order{'s' if orders != 1 else ''}"
    if args.format != "json":
        what = f"{rows} line{'s' if rows != 1 else ''} of {what}"
    print(f"wrote {args.out}: {what}")
    return 0


def _orders_resend(args: argparse.Namespace) -> int:
    from order_api.orders_cli import resend_notifications

    print(resend_notifications(_orders_scope(args), args.number, args.channel))
    return 0


def _passcode_hash(args: argparse.Namespace) -> int:
    from generator.passcode import MIN_LENGTH, hash_passcode

    if sys.stdin.isatty():
        passcode = getpass.getpass("Passcode: ")
        if getpass.getpass("Again: ") != passcode:
            raise LinesheetsError("the two passcodes differ; nothing was printed")
    else:
        passcode = sys.stdin.readline().rstrip("\r\n")
    if len(passcode) < MIN_LENGTH:
        raise LinesheetsError(f"a passcode has at least {MIN_LENGTH} characters")
    print(hash_passcode(passcode))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
