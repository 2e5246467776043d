"""The commands the `linesheets` console script runs (`cli.py` parses their arguments): each
calls one stage, prints what it did and returns the exit code. A stage's modules are imported
by the commands that need them, so that `linesheets api` starts without the generator's
render stage and `linesheets build` without the endpoint's."""

from __future__ import annotations

import argparse
import copy
import errno
import getpass
import os
import socket
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.errors import (
    ContentError,
    ContentProblem,
    LinesheetsError,
    SheetError,
    raise_if_any,
    relative_name,
)
from generator.settings import BuildSettings

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from generator.report import BuildReport
    from order_api.back_office import Scope

# Where `linesheets serve` mounts its endpoint, beside the pages: what they call there.
SERVED_API = "/api"


def print_error(exc: LinesheetsError) -> None:
    """Every problem of a content error, one a line, then their count; else the message."""
    if isinstance(exc, ContentError):
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        count = len(exc.problems)
        print(f"{count} problem{'s' if count != 1 else ''} found.", file=sys.stderr, flush=True)
    else:
        print(f"error: {exc}", file=sys.stderr, flush=True)


def run_build(args: argparse.Namespace) -> int:
    """`linesheets build`: build once, then on every change with --watch."""
    _stop_on_sigterm()
    if args.watch:
        _stay_loaded()  # from the first build on
    report = _build_once(args)
    _announce(args.out, report)
    if args.watch:
        _watch(args, report)
    return 0


def _stop_on_sigterm() -> None:
    """Take SIGTERM (`kill`, `timeout`, a cancelled CI job, `linesheets serve` stopping its
    watch) as Ctrl-C: a build under way then discards what it staged instead of leaving
    temporary files in the output folder or a staging folder beside it."""
    import signal

    signal.signal(signal.SIGTERM, signal.default_int_handler)


def _build_once(args: argparse.Namespace) -> BuildReport:
    """Build the content of `args` as of --now, or of this moment."""
    from generator.fingerprint import inputs_digest, unchanged_site
    from generator.report import BuildReport
    from generator.writer import read_manifest

    started = time.perf_counter()
    settings = _settings(args)
    last = read_manifest(settings.manifest)
    inputs = inputs_digest(settings)
    if unchanged_site(settings, last, inputs):  # before loading the catalog and templates
        return BuildReport.up_to_date(last, time.perf_counter() - started)
    from generator.build import run

    return run(settings, progress=sys.stderr.isatty(), check_unchanged=False, last=last,
               inputs=inputs)


def _site_path(content: Path) -> str:
    """The folder base_url publishes the site in ("" at the host's root), from brand.yaml as
    the build just validated it: `serve` serves the pages where their links point."""
    from generator.site import site_path

    return site_path(str(_brand_settings(content).get("base_url", "")))


def _brand_settings(content: Path) -> dict[str, Any]:
    """brand.yaml as the build just validated it (its settings as written)."""
    import yaml

    from generator.content import YAML_SUFFIXES

    for suffix in YAML_SUFFIXES:
        brand = content / f"brand{suffix}"
        if brand.is_file():
            return dict(yaml.safe_load(brand.read_text(encoding="utf-8")))
    return {}


class _WatchedFolder:
    """The folder base_url puts the site in ("/wholesale", or "" at the root), for `serve`'s
    server: its watch sends the folder a rebuild moved the site to, once the pages are in
    place, so the server follows a base_url edited while it runs."""

    def __init__(self, folder: str, moves: Connection) -> None:
        self.folder: str = folder
        self.moves: Connection | None = moves

    def __call__(self) -> str:
        try:
            while self.moves is not None and self.moves.poll():
                self.folder = self.moves.recv()
        except (EOFError, OSError):  # the watch has stopped: the site stays where it is
            self.moves = None
        return self.folder


def _settings(args: argparse.Namespace) -> BuildSettings:
    """The settings of a build of `args` as of --now, or of this moment: the asset cache
    and the site's manifest go beside --private."""
    private: Path = args.private
    return BuildSettings(content=args.content, now=args.now or datetime.now(UTC), out=args.out,
                private=private, cache=private.parent / "cache",
                manifest=private.parent / "public-manifest.json",
                api_url=SERVED_API if getattr(args, "run", None) is run_serve else None,
                new_keys=not getattr(args, "no_new_keys", False))


def _announce(out: Path, report: BuildReport) -> None:
    print(f"built {out}: {report.summary()}", flush=True)


def _stay_loaded() -> None:
    from generator.build import stay_loaded

    stay_loaded()


def _watch(args: argparse.Namespace, first: BuildReport, parent: int | None = None,
           served: tuple[str, Connection] | None = None) -> None:
    """Rebuild the content of `args` on every change until stopped (see generator/watch.py);
    for `serve` (`served`: the folder it serves the site at, and where to send a new one),
    tell its server when a rebuild moved the site to another folder of base_url."""
    from generator.watch import Watcher

    _stop_on_sigterm()  # in `linesheets serve`'s child too
    _stay_loaded()
    paths = _settings(args)
    folder = served[0] if served is not None else ""

    def announce(report: BuildReport) -> None:
        nonlocal folder
        _announce(args.out, report)
        if served is None or report.folder is None or report.folder == folder:
            return
        folder = report.folder
        served[1].send(folder)  # the pages are in place: the server serves them there now
        print(f"serving {args.out} on http://{args.host}:{args.port}{folder}/ now "
              "(base_url's folder)", flush=True)

    Watcher((paths.content, paths.templates), lambda: _build_once(args), announce, print_error,
            follow_clock=args.now is None, first=first,
            ignore=(paths.out, paths.private, paths.cache, paths.manifest)).run(parent)


def run_serve(args: argparse.Namespace) -> int:
    """`linesheets serve`: build, then serve the site and the endpoint, rebuilding on edits."""
    # The endpoint's modules load only for the commands that run it (generator never
    # imports order_api at module level).
    import multiprocessing

    import uvicorn

    from order_api.app import create_app
    from order_api.settings import ApiSettings

    _check_address(args.host, args.port)  # before the build: a busy port says so at once
    report = _build_once(args)
    _announce(args.out, report)
    # The watch runs in a child forked now, before the server starts any thread; it keeps
    # what its rebuilds reuse itself, so the server does not hold them. The server reloads
    # the endpoint's manifest when a rebuild changes it.
    context = (multiprocessing.get_context("fork")
               if "fork" in multiprocessing.get_all_start_methods()
               else multiprocessing.get_context("spawn"))
    # The folder base_url puts the site in, as just built; the watch sends the next one.
    moves, mover = context.Pipe(duplex=False)
    folder = _WatchedFolder(_site_path(args.content), moves)
    watcher = context.Process(target=_watch, args=(args, report, os.getpid(),
                                                   (folder.folder, mover)),
                              name="linesheets-watch")
    watcher.start()
    mover.close()  # the watch's end: a stopped watch then reads as the pipe's end here
    try:
        app = create_app(ApiSettings.for_local(args.private), site=args.out, site_path=folder)
        if args.host not in {"127.0.0.1", "localhost", "::1"}:
            print(f"warning: serving on {args.host}; `linesheets serve` is for local use, its "
                  "token secret lasts one run. Use `linesheets api` in production.",
                  file=sys.stderr)
        print(f"serving {args.out} on http://{args.host}:{args.port}{folder()}/ and the order "
              f"endpoint on http://{args.host}:{args.port}{SERVED_API} "
              "(Ctrl-C stops)", flush=True)
        api_url = str(_brand_settings(args.content).get("api_url", SERVED_API))
        if api_url != SERVED_API:
            print(f"the pages served here call this endpoint, not brand.yaml's api_url "
                  f"({api_url}); `linesheets build` makes them call that one", flush=True)
        uvicorn.run(app, host=args.host, port=args.port, log_config=_log_config())
    finally:
        watcher.terminate()  # SIGTERM: a rebuild under way discards what it staged
        watcher.join()
    return 0


def run_api(args: argparse.Namespace) -> int:
    """`linesheets api`: the order endpoint alone, configured from the environment."""
    import uvicorn

    from order_api.published import load_published
    from order_api.settings import ApiSettings

    if args.check:
        return _check_api()
    # Fail here, clearly, not in each worker: the build's files, the address, and the order
    # store (created and migrated now, so workers start on the current schema; last, so that
    # a refused address leaves no database behind).
    settings = ApiSettings.from_environment()
    load_published(settings.manifest, settings.keys)
    _check_address(args.host, args.port)
    _open_store(settings.database_url)
    uvicorn.run("order_api.app:serve_app", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_config=_log_config())
    return 0


def _check_api() -> int:
    """`linesheets api --check`: what the endpoint would run with, tried; 1 on a problem."""
    from order_api.preflight import preflight

    findings = preflight()
    for finding in findings:
        print(finding, flush=True)
    problems = sum(finding.level == "problem" for finding in findings)
    warnings = sum(finding.level == "warning" for finding in findings)
    if not problems and not warnings:
        print("everything checked is in order")
    else:
        print(f"{problems} problem{'' if problems == 1 else 's'}, {warnings} "
              f"warning{'' if warnings == 1 else 's'}")
    return 1 if problems else 0


def _open_store(database_url: str | None) -> None:
    """Open the order store once, creating or migrating its schema, and say so when it did
    (after an upgrade, the operator's proof that the database was brought up to date)."""
    from order_api.store import open_store

    store = open_store(database_url)
    found, now = store.schema
    store.close()
    if found == 0:
        print(f"created the order database (schema version {now})", file=sys.stderr)
    elif found < now:
        print(f"migrated the order database from schema version {found} to {now}",
              file=sys.stderr)


def _check_address(host: str, port: int) -> None:
    """Refuse, with what to do, an address the server could not listen on (uvicorn would
    print a bare errno and stop)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError):
        raise LinesheetsError(f"--host '{host}' is not an address of this machine; give e.g. "
                              "127.0.0.1 (this machine only) or 0.0.0.0 (every interface)"
                              ) from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise LinesheetsError(f"port {port} on {host} is in use (another server?); "
                                      "stop it, or pick another port with --port") from None
            raise LinesheetsError(f"cannot listen on {host}:{port}: {exc.strerror}; give "
                                  "another --host or --port (ports below 1024 need root)"
                                  ) from None


def _log_config() -> dict[str, Any]:
    """uvicorn's logging, plus the endpoint's own logger (manifest reloads, errors)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["order_api"] = {"handlers": ["default"], "level": "INFO",
                                      "propagate": False}
    return config


def run_rotate(args: argparse.Namespace) -> int:
    """`linesheets keys rotate LINK`: a new key version for a sealed link, then a build."""
    from generator.catalog import load_catalog  # not at the top: `api` starts without it
    from generator.seal import KeyStore
    from generator.state import is_sealed

    catalog = load_catalog(args.content)
    if args.link not in catalog.links:
        raise LinesheetsError(f"no link '{args.link}' in {args.content}/links/; the links are: "
                              f"{', '.join(catalog.links)}")
    if not is_sealed(catalog.offer(args.link), _settings(args).now):
        raise LinesheetsError(f"link '{args.link}' is public (no passcode, released, not "
                              "expired): its pages are not sealed, so it has no key to rotate")
    store = KeyStore.load(args.private / "keys.json")
    key = store.rotate(args.link)
    store.save()
    print(f"link '{args.link}' now seals with key version {key.version}")
    _announce(args.out, _build_once(args))
    return 0


def run_buyers_import(args: argparse.Namespace) -> int:
    """`linesheets buyers import`: a buyer file (and a customer link) for each row of a sheet,
    their passcodes into a file of the brand's; every problem at once, or what was written."""
    from generator.importer import import_buyers

    try:
        report = import_buyers(args.file, args.content, args.passcodes, args.links)
    except (SheetError, ContentError) as exc:
        return _nothing_written(exc.problems)
    count = len(report.buyers)
    print(f"Imported {count} buyer{'s' if count != 1 else ''} from {args.file.name} into "
          f"{args.content / 'buyers'}/" + (f", each with a customer link of "
          f"{', '.join(args.links)} in {args.content / 'links'}/" if report.links else "")
          + f".\nTheir passcodes are in {report.passcodes}, readable by you alone (the "
          "content keeps only their hashes): send each buyer its own, then keep the file "
          "safe or delete it.")
    return 0


def run_init(args: argparse.Namespace) -> int:
    """`linesheets init`: a brand's first content, checked; say what was written and what
    to run next."""
    from generator.starter import local_timezone, start

    folder: Path = args.folder
    name = args.name if args.name is not None else folder.resolve().name
    started = start(folder, name, args.languages, args.currencies,
                    args.timezone or local_timezone(), datetime.now(UTC).date())
    where = "this folder" if folder == Path() else f"{folder}/"
    print(f"Started {name}'s linesheets in {where}:")
    notes = {
        "content/brand.yaml": "the brand: languages, currencies, time zone, tax, contacts",
        f"content/seasons/{started.season}/season.yaml":
            f"a season, open for orders until {started.deadline.isoformat()}",
        f"content/seasons/{started.season}/products.yaml": "its styles: three examples",
        f"content/links/{started.season}-open.yaml": "an order link anyone with it can open",
        "content/links/stockists.yaml":
            f"a link for stockists, passcode: {started.stockists_passcode}",
        "content/buyers/example-shop.yaml": "a registered buyer on its own terms,",
        "content/links/example-shop.yaml":
            f"and its own link, passcode: {started.buyer_passcode}",
        ".gitignore": "keeps public/, build/, data/ and .venv/ out of git",
    }
    width = max(map(len, started.files))
    for path in started.files:
        print(f"  {path:<{width}}  {notes[path]}")
    print("Only the passcodes' hashes are in the files: note the passcodes now.\nNext:")
    if folder != Path():
        print(f"  cd {folder}")
    print("  linesheets serve   try every link on http://127.0.0.1:8000/, rebuilt as you edit\n"
          "  linesheets check   every problem, with its file and line\n"
          "  linesheets build   public/ for the CDN, build/private/ for the order endpoint")
    return 0


def run_check(args: argparse.Namespace) -> int:
    """`linesheets check`: validate the content and decode every picture the pages show (what
    would stop a build), print a summary."""
    from generator.assets import check_marks, check_pictures  # not at the top: `api` starts
    from generator.catalog import load_catalog  # without them

    try:
        catalog = load_catalog(args.content)
        media = args.content / "media"
        brand = relative_name(args.content / "brand.yaml", args.content)
        raise_if_any([*check_marks(media, brand, catalog.brand.logo, catalog.brand.icon),
                      *check_pictures(media, catalog.pictures())])
    except ContentError as exc:
        if args.form == "github":
            for problem in exc.problems:
                print(annotation(problem))
        raise
    print(f"ok: {catalog.summary()}")
    return 0


def annotation(problem: ContentProblem) -> str:
    """A problem as a GitHub Actions workflow command: the run's summary and the pull
    request's diff show it on its file and line."""
    def escaped(text: str, property_value: bool = False) -> str:
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return text.replace(":", "%3A").replace(",", "%2C") if property_value else text

    where = [f"file={escaped(problem.file, True)}"]
    if problem.line:
        where.append(f"line={problem.line}")
    if problem.field:
        where.append(f"title={escaped(problem.field, True)}")
    return f"::error {','.join(where)}::{escaped(problem.message)}"


def run_links(args: argparse.Namespace) -> int:
    """`linesheets links`: every order link with its address and its state now."""
    from zoneinfo import ZoneInfo

    from generator.catalog import load_catalog
    from generator.i18n import translate
    from generator.link_list import link_entries, links_csv, links_text, write_codes

    catalog = load_catalog(args.content)
    state = None if args.state is None else args.state.replace("-", "_")
    entries = link_entries(catalog, args.now or datetime.now(UTC), state)
    brand = catalog.brand
    written = [] if args.qr is None else write_codes(
        entries, args.qr, translate(brand.name, brand.default_language, brand.default_language))
    zone = ZoneInfo(brand.timezone)
    if args.form == "csv":
        sys.stdout.buffer.write(links_csv(entries, zone))
        sys.stdout.flush()
    else:
        print(links_text(entries, zone))
    if args.qr is not None:  # beside CSV on stdout, the note goes to stderr
        print(f"wrote {len(written)} QR code{'s' if len(written) != 1 else ''} to {args.qr}"
              + (f" ({written[0].name} …)" if written else ""),
              file=sys.stderr if args.form == "csv" else sys.stdout)
    return 0


def run_import(args: argparse.Namespace) -> int:
    """`linesheets import`: a product sheet into a season, or a blank sheet (--template)."""
    # openpyxl loads in a fraction of a second, which only this command should pay.
    from generator.importer import import_products, write_template

    if args.template:
        if args.file is not None:
            raise LinesheetsError("--template writes a blank sheet and takes no FILE; give "
                                  "--out to name it")
        if args.keep_others:
            raise LinesheetsError("--keep-others is for an import; --template writes a blank "
                                  "sheet")
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
        report = import_products(args.file, args.content, args.season, progress=sys.stderr,
                                 keep_others=args.keep_others)
    except SheetError as exc:
        return _nothing_written(exc.problems)
    print(report.summary())
    return 0


def _nothing_written(problems: Sequence[object]) -> int:
    """An import's every problem, one a line, their count, and the exit code 1."""
    for problem in problems:
        print(problem, file=sys.stderr)
    count = len(problems)
    print(f"{count} problem{'s' if count != 1 else ''} found; nothing was written.",
          file=sys.stderr)
    return 1


def _orders_scope(args: argparse.Namespace) -> Scope:
    # The store's modules load only for the commands that read it (generator never imports
    # order_api at module level).
    from order_api.back_office import Scope

    return Scope(database=args.database, timezone=args.timezone,
                 link=getattr(args, "link", None), season=getattr(args, "season", None),
                 since=getattr(args, "since", None), until=getattr(args, "until", None),
                 status=getattr(args, "status", None))


def run_orders_list(args: argparse.Namespace) -> int:
    """`linesheets orders list`."""
    from order_api.orders_cli import list_orders

    print(list_orders(_orders_scope(args), to_ship=args.to_ship))
    return 0


def run_orders_show(args: argparse.Namespace) -> int:
    """`linesheets orders show NUMBER`, as text or as its printable page (--html): the
    confirmation, or a shipment's delivery note (--shipment N)."""
    from order_api.changes_cli import print_delivery_note
    from order_api.orders_cli import print_order, show_order

    if args.html is None:
        if args.shipment is not None:
            raise LinesheetsError("--shipment N prints a delivery note: add --html FILE")
        print(show_order(_orders_scope(args), args.number))
        return 0
    if args.shipment is not None:
        print_delivery_note(_orders_scope(args), args.number, args.shipment, args.html)
        print(f"wrote {args.html}: the delivery note of shipment {args.shipment} of order "
              f"{args.number}")
        return 0
    print_order(_orders_scope(args), args.number, args.html)
    print(f"wrote {args.html}: the confirmation of order {args.number}")
    return 0


def run_orders_export(args: argparse.Namespace) -> int:
    """`linesheets orders export`: to a file, written atomically, or to standard output."""
    from order_api.orders_cli import export_orders

    _settle_format(args, EXPORT_FORMATS, "an XLSX export", "orders.xlsx")
    data, orders, rows = export_orders(_orders_scope(args), args.format)
    what = f"{orders} order{'s' if orders != 1 else ''}"
    if args.format != "json":
        what = f"{rows} line{'s' if rows != 1 else ''} of {what}"
    _deliver(args, data, what)
    return 0


# The formats of `orders export` and of the reports (totals, sales, invoices), the default
# first: the parser's choices and what --out's extension may select.
EXPORT_FORMATS = ("csv", "xlsx", "json")
REPORT_FORMATS = ("text", "csv", "xlsx")
# The format a file's name says, for --out: `orders export --out orders.xlsx` is a workbook.
_SUFFIX_FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".json": "json", ".txt": "text"}


def _settle_format(args: argparse.Namespace, choices: tuple[str, ...], what: str,
                   example: str) -> None:
    """Take --format from --out's extension when it is not given (the first of `choices`
    otherwise), and refuse one the extension contradicts (a workbook written into a .csv
    file would not open) or an XLSX (binary) to standard output, before any work."""
    out: Path | None = None if args.out is None or str(args.out) == "-" else args.out
    named = _SUFFIX_FORMATS.get(out.suffix.lower()) if out is not None else None
    if named not in choices:
        named = None
    if args.format is None:
        args.format = named or choices[0]
    elif out is not None and named is not None and named != args.format:
        suffix = next(ext for ext, form in _SUFFIX_FORMATS.items() if form == args.format)
        raise LinesheetsError(f"--out '{out}' ends in {out.suffix} but --format is "
                              f"{args.format}; name the file {out.stem}{suffix}, or give "
                              f"--format {named} (or leave --format out)")
    if args.format == "xlsx" and out is None:
        raise LinesheetsError(f"{what} needs a file: add --out {example}")


def _deliver(args: argparse.Namespace, data: bytes, what: str) -> None:
    """Write an output to --out, atomically, and say what it holds; or, without --out (or
    with -), to standard output as it is."""
    from order_api.back_office import write_atomically

    if args.out is None or str(args.out) == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    write_atomically(args.out, data)
    print(f"wrote {args.out}: {what}")


def run_orders_paid(args: argparse.Namespace) -> int:
    """`linesheets orders paid INVOICE`."""
    from order_api.invoices_cli import record_payment

    print(record_payment(_orders_scope(args), args.invoice, args.date, args.note,
                         args.amount, args.settle))
    return 0


def run_orders_remind(args: argparse.Namespace) -> int:
    """`linesheets orders remind [INVOICE …]`."""
    from order_api.invoices_cli import remind

    print(remind(_orders_scope(args), args.invoice))
    return 0


def run_orders_invoices(args: argparse.Namespace) -> int:
    """`linesheets orders invoices`: printed, or written atomically to a file."""
    from order_api.invoices_cli import invoice_register

    _settle_format(args, REPORT_FORMATS, "an XLSX register", "invoices.xlsx")
    data, count = invoice_register(_orders_scope(args), args.standing, args.format)
    _deliver(args, data, f"{count} invoice{'s' if count != 1 else ''}")
    return 0


def run_orders_totals(args: argparse.Namespace) -> int:
    """`linesheets orders totals`: printed, or written atomically to a file."""
    from order_api.orders_cli import order_totals

    _settle_format(args, REPORT_FORMATS, "an XLSX file of totals", "totals.xlsx")
    data, orders, rows = order_totals(_orders_scope(args), args.format, args.to_ship)
    what = "styles" if args.format == "text" else "colours and sizes"
    _deliver(args, data, f"{rows} {what} of {orders} order{'s' if orders != 1 else ''}")
    return 0


def run_orders_sales(args: argparse.Namespace) -> int:
    """`linesheets orders sales`: printed, or written atomically to a file."""
    from order_api.orders_cli import order_sales

    _settle_format(args, REPORT_FORMATS, "an XLSX file of sales", "sales.xlsx")
    data, orders, groups = order_sales(_orders_scope(args), args.by, args.format)
    what = {"style": "style", "buyer": "buyer", "country": "countrie", "link": "link"}[args.by]
    _deliver(args, data, f"{groups} {what}{'s' if groups != 1 else ''} of {orders} "
                         f"order{'s' if orders != 1 else ''}")
    return 0


def run_orders_amend(args: argparse.Namespace) -> int:
    """`linesheets orders amend NUMBER --line LINE=QUANTITY …`."""
    from order_api.changes_cli import amend

    print(amend(_orders_scope(args), args.number, args.line, args.reason))
    return 0


def run_orders_ship(args: argparse.Namespace) -> int:
    """`linesheets orders ship NUMBER`."""
    from order_api.changes_cli import ship

    print(ship(_orders_scope(args), args.number, args.line, args.date, args.carrier,
               args.tracking, args.note, args.html))
    return 0


def run_orders_cancel(args: argparse.Namespace) -> int:
    """`linesheets orders cancel NUMBER`."""
    from order_api.orders_cli import cancel_order

    print(cancel_order(_orders_scope(args), args.number, args.reason))
    return 0


def run_orders_invoice(args: argparse.Namespace) -> int:
    """`linesheets orders invoice NUMBER`: issue it (or print it again) into a page."""
    from order_api.invoices_cli import invoice_order

    done = invoice_order(_orders_scope(args), args.number, args.part, args.date, args.out,
                         args.send)
    invoice = done.invoice
    what = {"full": "the whole order", "deposit": "the deposit",
            "balance": "the balance"}[invoice.part]
    told = "issued" if done.new else f"printed again (issued {invoice.issued_on.isoformat()})"
    print(f"wrote {done.path}: invoice {invoice.number} of order {invoice.order_number}, "
          f"{told}; {what}, {done.due} due by {invoice.due_on.isoformat()}")
    if done.sent is not None:
        print(done.sent)
    for warning in done.warnings:
        print(f"note: {warning}", file=sys.stderr)
    return 0


def run_orders_credit(args: argparse.Namespace) -> int:
    """`linesheets orders credit INVOICE --amount --reason`: issue a credit note (or print one
    again) into a page."""
    from order_api.credits_cli import credit_invoice

    done = credit_invoice(_orders_scope(args), args.number, args.amount, args.reason,
                          args.date, args.out, args.send)
    note = done.note
    told = "issued" if done.new else f"printed again (issued {note.issued_on.isoformat()})"
    print(f"wrote {done.path}: credit note {note.number}, {told}; {done.said}")
    if done.sent is not None:
        print(done.sent)
    return 0


def run_orders_stock(args: argparse.Namespace) -> int:
    """`linesheets orders stock`."""
    from order_api.orders_cli import stock_levels

    print(stock_levels(_orders_scope(args)))
    return 0


def run_orders_resend(args: argparse.Namespace) -> int:
    """`linesheets orders resend NUMBER`."""
    from order_api.orders_cli import resend_notifications

    print(resend_notifications(_orders_scope(args), args.number, args.channel))
    return 0


def run_orders_activity(args: argparse.Namespace) -> int:
    """`linesheets orders activity`: printed, or written atomically to a file."""
    from order_api.activity_report import link_activity

    _settle_format(args, REPORT_FORMATS, "an XLSX file of the activity", "activity.xlsx")
    data, links = link_activity(_orders_scope(args), args.format)
    _deliver(args, data, f"{links} link{'s' if links != 1 else ''}")
    return 0


def run_orders_backup(args: argparse.Namespace) -> int:
    """`linesheets orders backup FILE|FOLDER`."""
    from order_api.back_office import database_url
    from order_api.backup import back_up

    source, copy = back_up(database_url(args.database), args.destination)
    print(f"backed up {source} to {copy.path}: {copy.describe()}")
    return 0


def run_orders_restore(args: argparse.Namespace) -> int:
    """`linesheets orders restore BACKUP`."""
    from order_api.back_office import database_url
    from order_api.backup import restore

    target, restored, kept = restore(database_url(args.database), args.backup)
    print(f"restored {args.backup} into {target}: {restored.describe()}")
    if kept is not None:
        print(f"the database as it was is kept at {kept}")
    return 0


def run_passcode_hash(args: argparse.Namespace) -> int:
    """`linesheets passcode hash`: read a passcode (twice on a terminal), print its hash."""
    from generator.passcode import MIN_LENGTH, hash_passcode

    if sys.stdin.isatty():
        passcode = getpass.getpass("Passcode: ")
        if getpass.getpass("Again: ") != passcode:
            raise LinesheetsError("the two passcodes differ; nothing was printed")
    else:
        passcode = sys.stdin.readline().rstrip("\r\n")
        # A second line would be silently dropped: the hash printed would then not be of what
        # the brand piped in (a file with a passcode per line, a here-document).
        if sys.stdin.read(4096).strip():
            raise LinesheetsError("stdin holds more than one line; pipe in one passcode, e.g. "
                                  "printf '%s' 'spring-2027' | linesheets passcode hash")
    # Without the spaces around it, as content files read a plain passcode and as the
    # endpoint reads what a buyer types.
    passcode = passcode.strip()
    try:
        passcode.encode("utf-8")
    except UnicodeEncodeError:  # bytes read from a pipe that are no UTF-8 text
        raise LinesheetsError("the passcode is not UTF-8 text; type it again, or pipe it in "
                              "as UTF-8") from None
    if len(passcode) < MIN_LENGTH:
        raise LinesheetsError(f"a passcode has at least {MIN_LENGTH} characters")
    print(hash_passcode(passcode))
    return 0
