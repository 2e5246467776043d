"""The `linesheets` console script: parse the arguments, run the command (`_commands.py`), set
the exit code."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator import __version__
from generator._commands import (
    EXPORT_FORMATS,
    REPORT_FORMATS,
    print_error,
    run_api,
    run_build,
    run_buyers_import,
    run_check,
    run_import,
    run_init,
    run_links,
    run_orders_activity,
    run_orders_amend,
    run_orders_backup,
    run_orders_cancel,
    run_orders_credit,
    run_orders_export,
    run_orders_invoice,
    run_orders_invoices,
    run_orders_list,
    run_orders_paid,
    run_orders_remind,
    run_orders_resend,
    run_orders_restore,
    run_orders_sales,
    run_orders_ship,
    run_orders_show,
    run_orders_stock,
    run_orders_totals,
    run_passcode_hash,
    run_rotate,
    run_serve,
)
from generator.errors import LinesheetsError


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        return int(args.run(args))
    except LinesheetsError as exc:
        print_error(exc)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`linesheets orders list | head`): what it wanted it has. The
        # rest of stdout goes nowhere, so that flushing it at exit raises nothing either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="linesheets", description="Wholesale linesheets and order links for fashion brands.")
    parser.add_argument("--version", action="version", version=f"linesheets {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    init = commands.add_parser(
        "init", help="start a brand's own repository: content that builds at once",
        description="Write a new repository's content: brand settings, a season of three "
                    "example styles, and one order link of each kind (open, for stockists "
                    "with a passcode, for a registered buyer), every file commented and "
                    "checked, and a .gitignore for what the build makes. Prints the "
                    "passcodes it made: only their hashes are in the files.")
    init.add_argument("folder", nargs="?", type=Path, default=Path(),
                      help="the repository's folder, made if missing (default: this one); "
                           "it must not hold a content/ folder yet")
    init.add_argument("--name", help="the brand's name (default: the folder's name)")
    init.add_argument("--languages", default="en", type=_listed, metavar="LANGS",
                      help="the languages of its links, comma-separated, the first the "
                           "default (default: en), e.g. en,ja,zh-Hans")
    init.add_argument("--currencies", default="USD", type=_listed, metavar="CURRENCIES",
                      help="the currencies of its prices, comma-separated (default: USD), "
                           "e.g. JPY,USD,EUR")
    init.add_argument("--timezone", metavar="ZONE",
                      help="the IANA time zone order deadlines are read in (default: this "
                           "computer's, else UTC), e.g. Asia/Tokyo")
    init.set_defaults(run=run_init)

    check = commands.add_parser("check", help="validate the content; print every problem")
    check.add_argument("content", nargs="?", type=Path, default=Path("content"),
                       help="the content directory (default: content/)")
    check.add_argument("--format", choices=("text", "github"), default="text", dest="form",
                       help="github: also each problem as a GitHub Actions annotation, so a "
                            "pull request shows it on the line it is about")
    check.set_defaults(run=run_check)

    links = commands.add_parser(
        "links", help="the order links: address, state, passcode, seasons, buyer",
        description="List every order link with its address to send, its kind, its state now "
                    "(upcoming, open, view-only, expired) and when that changes, whether a "
                    "passcode opens it, its seasons (those past their order deadline marked) "
                    "and who it is for. Passcodes are never printed.")
    links.add_argument("content", nargs="?", type=Path, default=Path("content"),
                       help="the content directory (default: content/)")
    links.add_argument("--now", type=_moment, default=None, metavar="DATETIME",
                       help="the states as of this ISO 8601 moment (default: now), e.g. to "
                            "check a release")
    links.add_argument("--state", choices=("upcoming", "open", "view-only", "expired"),
                       help="only the links in this state")
    links.add_argument("--format", choices=("text", "csv"), default="text", dest="form",
                       help="a table (default), or CSV rows for a spreadsheet")
    links.add_argument("--qr", type=Path, metavar="FOLDER",
                       help="also write each link's QR code, of its address, as "
                            "FOLDER/<link>.svg (for a showroom card or a lookbook's page)")
    links.set_defaults(run=run_links)

    build = commands.add_parser("build", help="render the site into public/",
                                description="Check the content and write every page of every "
                                "link; only changed files are written.")
    _add_site_arguments(build)
    build.add_argument("--now", type=_moment, default=None, metavar="DATETIME",
                       help="render link and season states as of this ISO 8601 moment "
                            "(default: now), e.g. to preview a release")
    build.add_argument("--no-new-keys", action="store_true",
                       help="stop, naming the link, rather than make a page key for a sealed "
                            "link that has none: for a build in CI, with the brand's "
                            "build/private/keys.json restored from where it is kept")
    build.add_argument("--watch", action="store_true",
                       help="then rebuild each time a content or template file changes, and "
                            "when a link or season changes state (Ctrl-C stops)")
    build.set_defaults(run=run_build)

    importer = commands.add_parser(
        "import", help="import a product spreadsheet (XLSX or CSV) into a season",
        description="Read a brand's product spreadsheet into seasons/<id>/products.yaml; print "
                    "every problem of every row, or what was added, updated and removed.")
    importer.add_argument("file", nargs="?", type=Path,
                          help="the spreadsheet: .xlsx, or .csv in UTF-8 or Shift_JIS")
    importer.add_argument("--season", required=True, help="the season's id (its folder name)")
    importer.add_argument("--content", type=Path, default=Path("content"),
                          help="the content directory (default: content/)")
    importer.add_argument("--keep-others", action="store_true",
                          help="add and update the sheet's styles, and keep the season's "
                               "others (by default a style the sheet does not list is removed)")
    importer.add_argument("--template", action="store_true",
                          help="write a blank XLSX with the brand's columns instead")
    importer.add_argument("--out", type=Path, help="where --template writes "
                          "(default: products-<season>.xlsx)")
    importer.set_defaults(run=run_import)

    buyers = commands.add_parser("buyers", help="registered buyers")
    buyers_commands = buyers.add_subparsers(dest="action", required=True, metavar="ACTION")
    buyers_import = buyers_commands.add_parser(
        "import", help="add registered buyers from a spreadsheet (XLSX or CSV)",
        description="Write buyers/<id>.yaml for each row of a sheet of stockists (and with "
                    "--links, a customer link of those seasons for each), with a passcode "
                    "made for each, written to --passcodes; every row checked with the whole "
                    "catalog first, nothing written while any problem remains. Columns: "
                    "docs/import.md, \"Buyers\".")
    buyers_import.add_argument("file", type=Path, help="the sheet: .xlsx, or .csv")
    buyers_import.add_argument("--passcodes", type=Path, required=True, metavar="FILE",
                               help="a new CSV file for the buyers' passcodes and links, to "
                                    "send each buyer its own (never overwritten)")
    buyers_import.add_argument("--links", type=_listed, default=[], metavar="SEASONS",
                               help="also a customer link for each buyer, of these seasons "
                                    "(comma-separated ids), e.g. ss27,aw27")
    buyers_import.add_argument("--content", type=Path, default=Path("content"),
                               help="the content directory (default: content/)")
    buyers_import.set_defaults(run=run_buyers_import)

    keys = commands.add_parser("keys", help="the sealed links' page keys")
    keys_commands = keys.add_subparsers(dest="action", required=True, metavar="ACTION")
    rotate = keys_commands.add_parser(
        "rotate", help="give a link a new page key and re-seal its pages",
        description="Make a new key version for a link, then rebuild so its sealed pages use "
                    "it. Buyers unlock again with the same passcode.")
    rotate.add_argument("link", help="the link's slug")
    _add_site_arguments(rotate)
    rotate.set_defaults(run=run_rotate, now=None)

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
    serve.set_defaults(run=run_serve, now=None)

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
    api.add_argument("--check", action="store_true",
                     help="try the settings, the build, the database and the SMTP server as "
                          "the endpoint would use them, print what was found and exit (1 on "
                          "a problem), without serving or changing anything")
    api.set_defaults(run=run_api)

    _add_orders_commands(commands)

    passcode = commands.add_parser("passcode", help="passcode tools")
    passcode_commands = passcode.add_subparsers(dest="action", required=True, metavar="ACTION")
    hash_command = passcode_commands.add_parser(
        "hash", help="print a hash of a passcode to put in a link or buyer file")
    hash_command.set_defaults(run=run_passcode_hash)
    return parser


def _add_orders_commands(commands: Any) -> None:
    orders = commands.add_parser(
        "orders", help="list, show, export, total, amend, ship, invoice, credit and cancel the "
                       "stored orders; what sold; buyers' activity; resend notifications; what "
                       "is left of the stock; back the store up and restore it",
        description="The brand's back office over the order store the endpoint writes "
                    "(DATABASE_URL, default sqlite:///data/orders.sqlite3): the orders, what to "
                    "produce, amendments, shipments, invoices, credit notes and payments. Times "
                    "are in the brand's timezone from "
                    "the manifest (LINESHEETS_MANIFEST, default build/private/manifest.json), "
                    "else UTC. See docs/orders.md.")
    actions = orders.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="a table of orders, oldest first, with totals")
    listing.add_argument("--to-ship", action="store_true",
                         help="only the standing orders with units still to ship (not shipped "
                              "yet, or in part: the back orders)")
    _add_order_filters(listing)
    listing.set_defaults(run=run_orders_list)
    show = actions.add_parser(
        "show", help="one order with its price breakdown and notifications",
        description="Print one order: header, buyer, address, note, lines with their price "
                    "breakdown, totals, and where its notifications stand. With --html, "
                    "write its printable confirmation page instead.")
    show.add_argument("number", help="the order number, e.g. SS27-000042")
    show.add_argument("--html", type=_page_file, metavar="FILE",
                      help="write the order's confirmation page (HTML, print to PDF) here")
    show.add_argument("--shipment", type=int, metavar="N",
                      help="with --html: the delivery note of the order's shipment N instead")
    _add_order_store(show)
    show.set_defaults(run=run_orders_show)
    export = actions.add_parser(
        "export", help="one row per order line as CSV, XLSX or JSON",
        description="Export the selected orders: CSV (UTF-8 with BOM) and XLSX have one row "
                    "per order line; JSON has the whole order documents. Written atomically.")
    export.add_argument("--format", choices=EXPORT_FORMATS,
                        help="default: as --out's extension says (.csv, .xlsx, .json), else csv")
    export.add_argument("--out", type=Path, metavar="FILE",
                        help="where to write (default, or -: standard output; xlsx needs a "
                             "file)")
    _add_order_filters(export)
    export.set_defaults(run=run_orders_export)
    amend = actions.add_parser(
        "amend", help="change the quantities of an order's lines (0 removes a line)",
        description="Amend a stored order: each --line LINE=QUANTITY sets a line's quantity "
                    "(lines numbered as `orders show` numbers them; 0 removes the line). "
                    "The unit prices stay those the buyer accepted; amounts, tax, total, "
                    "deposit and balance are computed again; the styles' MOQ and multiples "
                    "apply, and a stock is counted. The order as acknowledged is kept (its "
                    "Idempotency-Key replays it); list, show, export and the pages show it as "
                    "amended, and the buyer and the brand hear of it where they heard of the "
                    "order. An order cancelled or already invoiced cannot be amended.")
    amend.add_argument("number", help="the order number, e.g. SS27-000042")
    amend.add_argument("--line", action="append", default=[], metavar="LINE=QUANTITY",
                       help="e.g. 2=6: line 2 to 6 units (0 removes it); repeat for more lines")
    amend.add_argument("--reason", help="why, on one line (shown with the order and in the "
                                        "e-mails)")
    _add_order_store(amend)
    amend.set_defaults(run=run_orders_amend)
    shipping = actions.add_parser(
        "ship", help="record a shipment of an order's lines, with its tracking number",
        description="Record that lines of a stored order have shipped, on a day, with the "
                    "carrier and tracking number: each line whole, or some of its units (the "
                    "rest on back order, for a later shipment); by default every unit still "
                    "to ship. Show, list and export say so, and the buyer and the brand hear "
                    "of it where they heard of the order. A line cannot be amended below the "
                    "units it shipped, and an order with shipped lines is not cancelled.")
    shipping.add_argument("number", help="the order number, e.g. SS27-000042")
    shipping.add_argument("--line", action="append", default=[], metavar="LINE[=UNITS]",
                          help="a line that shipped, numbered as `orders show` numbers them: "
                               "all it has still to ship, or e.g. 2=4 for 4 of its units; "
                               "repeat for more (default: every line still to ship)")
    shipping.add_argument("--carrier", help="e.g. Yamato Transport, DHL Express")
    shipping.add_argument("--tracking", help="the tracking number the carrier gave")
    shipping.add_argument("--date", type=_day, metavar="DATE",
                          help="the day it left, e.g. 2027-02-10 (default: today)")
    shipping.add_argument("--note", help="one line for the buyer, e.g. the number of boxes")
    shipping.add_argument("--html", type=_page_file, metavar="FILE",
                          help="also write its delivery note (HTML, print it for the box) here")
    _add_order_store(shipping)
    shipping.set_defaults(run=run_orders_ship)
    totals = actions.add_parser(
        "totals", help="units ordered of each style, colour and size (what to produce)",
        description="Sum the selected orders' lines per style, colour and size: a grid of "
                    "units per style (text), or one row per colour and size (CSV, XLSX) for "
                    "a production or purchase order. Cancelled orders are left out (--status "
                    "cancelled sums them instead). Styles, colours and sizes come in the "
                    "content's order when the manifest is there.")
    totals.add_argument("--format", choices=REPORT_FORMATS,
                        help="default: as --out's extension says (.csv, .xlsx, .txt), else text")
    totals.add_argument("--to-ship", action="store_true",
                        help="only the units not shipped yet (`orders ship`): what is left "
                             "to pick and send")
    totals.add_argument("--out", type=Path, metavar="FILE",
                        help="where to write (default, or -: standard output; xlsx needs a "
                             "file)")
    _add_order_filters(totals)
    totals.set_defaults(run=run_orders_totals)
    sold = actions.add_parser(
        "sales", help="what sold, by style, buyer, country or link: orders, units, amounts",
        description="Group the selected standing orders by style (best sellers first), buyer, "
                    "country of delivery or link: orders, units and the amount before tax in "
                    "each currency, never converted; a table (text), or one row per group and "
                    "currency (CSV, XLSX) for a season's review.")
    sold.add_argument("--by", choices=("style", "buyer", "country", "link"), default="style",
                      help="default: style")
    sold.add_argument("--format", choices=REPORT_FORMATS,
                      help="default: as --out's extension says (.csv, .xlsx, .txt), else text")
    sold.add_argument("--out", type=Path, metavar="FILE",
                      help="where to write (default, or -: standard output; xlsx needs a file)")
    _add_order_filters(sold)
    sold.set_defaults(run=run_orders_sales)
    cancel = actions.add_parser(
        "cancel", help="cancel an order: its units go back to the stock",
        description="Mark a stored order cancelled (its document stays as it was "
                    "acknowledged): list, show and export say so, the confirmation page "
                    "carries it, its units go back to the stock, and the buyer and the "
                    "brand hear of it where they heard of the order (e-mail, webhook).")
    cancel.add_argument("number", help="the order number, e.g. SS27-000042")
    cancel.add_argument("--reason", help="why, on one line (shown with the order)")
    _add_order_store(cancel)
    cancel.set_defaults(run=run_orders_cancel)
    invoice = actions.add_parser(
        "invoice", help="issue an order's invoice (printable page): the whole order, or its "
                        "deposit and then its balance",
        description="Issue an invoice for a stored order and write it as a printable page "
                    "in the order's language: the brand's name, address and registration "
                    "number and the bank account of the order's currency (brand.yaml's "
                    "`invoicing`), the lines, the amount taxed at each rate and its tax, the "
                    "amount due and by when. The invoice is recorded: printing it again gives "
                    "the same number and dates. See docs/orders.md.")
    invoice.add_argument("number", help="the order number, e.g. SS27-000042")
    invoice.add_argument("--part", choices=("full", "deposit", "balance"),
                         help="full: the whole order (terms without a deposit); deposit, then "
                              "balance (terms with one). Default: full, or deposit where the "
                              "terms bill one")
    invoice.add_argument("--date", type=_day, metavar="DATE",
                         help="the invoice's date, when it is first issued, e.g. 2027-01-15 "
                              "(default: today in the brand's timezone)")
    invoice.add_argument("--out", type=_page_file, metavar="FILE",
                         help="where to write the page (default: its number, e.g. "
                              "INV-SS27-000042-D.html, here)")
    invoice.add_argument("--send", action="store_true",
                         help="also e-mail it, attached, to the buyer (and a copy to the "
                              "brand), where the order's e-mails went; the running endpoint "
                              "sends it")
    _add_order_store(invoice)
    invoice.set_defaults(run=run_orders_invoice)
    credit = actions.add_parser(
        "credit", help="issue a credit note of an invoice (printable page): an amount given "
                       "back, and why",
        description="Give back part of an issued invoice (a discount after delivery, goods "
                    "returned, a cancelled order's refund) as a credit note, a printable page "
                    "with its tax at the order's rate (a qualified credit note, 適格返還請求書); "
                    "the invoice then asks that much less, or the buyer is owed it back if it "
                    "was paid. With a credit note's number (CN-SS27-000042-1), print it again "
                    "(and with --send, e-mail it again).")
    credit.add_argument("number", help="the invoice number (INV-SS27-000042, -D, -B), or a "
                                       "credit note's to print it again")
    credit.add_argument("--amount", metavar="AMOUNT",
                        help="what is given back, with tax, in the invoice's currency, e.g. "
                             "12000 or 480.50")
    credit.add_argument("--reason", help="why, printed on it, e.g. \"2 coats returned\"")
    credit.add_argument("--date", type=_day, metavar="DATE",
                        help="its date of issue, e.g. 2027-02-10 (default: today)")
    credit.add_argument("--out", type=_page_file, metavar="FILE",
                        help="where its page goes (default: its number .html, here)")
    credit.add_argument("--send", action="store_true",
                        help="also e-mail it, attached with the order's earlier credit notes, "
                             "to the buyer (and a copy to the brand), where the order's "
                             "e-mails went; the running endpoint sends it")
    _add_order_store(credit)
    credit.set_defaults(run=run_orders_credit)
    paid = actions.add_parser(
        "paid", help="record a payment of an invoice, whole or in part",
        description="Record money received for an issued invoice on a day (default: today "
                    "in the brand's timezone): all that is outstanding, which pays it "
                    "(recorded once: a second time changes nothing), or with --amount a part "
                    "of it; `orders invoices` then lists it paid, or what is left.")
    paid.add_argument("invoice", help="the invoice number, e.g. INV-SS27-000042-D")
    paid.add_argument("--amount", metavar="AMOUNT",
                      help="the money received, in the invoice's currency, e.g. 250000 or "
                           "1250.50 (default: all that is outstanding)")
    paid.add_argument("--settle", action="store_true",
                      help="with --amount: it pays the invoice, and the rest outstanding is "
                           "written off (a bank's charges taken from a transfer)")
    paid.add_argument("--date", type=_day, metavar="DATE",
                      help="the day the money arrived, e.g. 2027-01-20 (default: today)")
    paid.add_argument("--note", help="one line kept with the payment, e.g. the bank reference")
    _add_order_store(paid)
    paid.set_defaults(run=run_orders_paid)
    invoices = actions.add_parser(
        "invoices", help="the invoices issued: paid, due or overdue; what is outstanding",
        description="List the invoices issued, oldest first, with what each asks and where it "
                    "stands today (paid, due, overdue), and what is outstanding per currency; "
                    "or one row per invoice as CSV or XLSX for the brand's accounting.")
    invoices.add_argument("--status", choices=("unpaid", "overdue", "paid", "void"),
                          dest="standing",
                          help="only these (unpaid includes overdue; void: unpaid invoices of "
                               "orders cancelled since)")
    invoices.add_argument("--season", help="only this season's orders' invoices (its id)")
    invoices.add_argument("--format", choices=REPORT_FORMATS,
                          help="default: as --out's extension says (.csv, .xlsx, .txt), else "
                               "text")
    invoices.add_argument("--out", type=Path, metavar="FILE",
                          help="where to write (default, or -: standard output; xlsx needs a "
                               "file)")
    _add_order_store(invoices)
    invoices.set_defaults(run=run_orders_invoices)
    reminding = actions.add_parser(
        "remind", help="e-mail payment reminders of overdue invoices",
        description="Queue a payment reminder to the buyer (a copy to the brand), where the "
                    "order's e-mails went, of the invoices named, or of every invoice overdue "
                    "today; each reminder lists the order's unpaid invoices with where to pay, "
                    "the invoices attached. The running endpoint sends them.")
    reminding.add_argument("invoice", nargs="*",
                           help="invoice numbers, e.g. INV-SS27-000042-D (default: every "
                                "overdue one)")
    _add_order_store(reminding)
    reminding.set_defaults(run=run_orders_remind)
    stock = actions.add_parser(
        "stock", help="what orders took and left of each colour and size with a stock",
        description="For each colour and size with a stock in the built content (the "
                    "manifest), the stock, the units the stored orders take and what is left.")
    stock.add_argument("--season", help="only this season (its id)")
    _add_order_store(stock)
    stock.set_defaults(run=run_orders_stock)
    resend = actions.add_parser(
        "resend", help="send an order's given-up notifications again",
        description="Queue again the notifications of one order that were given up after "
                    "their tries (e.g. the webhook was down for hours): the running endpoint "
                    "sends them within a minute, retrying as for a new order.")
    resend.add_argument("number", help="the order number, e.g. SS27-000042")
    resend.add_argument("--channel", choices=("brand-email", "buyer-email", "webhook"),
                        help="only this channel (default: every given-up one)")
    _add_order_store(resend)
    resend.set_defaults(run=run_orders_resend)
    activity = actions.add_parser(
        "activity", help="what buyers did on each link: pages unlocked, carts priced, orders",
        description="For each link, over the selection: how many times its sealed pages were "
                    "opened with the key the endpoint gave, how many carts it priced, the "
                    "orders placed and what they came to before tax, and when it was last "
                    "seen; the latest first. A customer link is one buyer's.")
    activity.add_argument("--format", choices=REPORT_FORMATS,
                          help="default: as --out's extension says (.csv, .xlsx, .txt), else "
                               "text")
    activity.add_argument("--out", type=Path, metavar="FILE",
                          help="where to write (default, or -: standard output; xlsx needs a "
                               "file)")
    activity.add_argument("--link", help="only this link (its slug)")
    activity.add_argument("--since", type=_day_or_moment, metavar="DATE",
                          help="from this day or moment on (no offset: the brand's timezone)")
    activity.add_argument("--until", type=_day_or_moment, metavar="DATE",
                          help="up to this day (included) or before this moment")
    _add_order_store(activity)
    activity.set_defaults(run=run_orders_activity)
    backup = actions.add_parser(
        "backup", help="copy the SQLite order store to a checked backup file",
        description="Copy the SQLite order store through SQLite's online backup (safe while "
                    "the endpoint runs: a consistent copy, orders keep arriving) into one "
                    "self-contained file, checked page by page before it gets its name. Never "
                    "replaces a file. PostgreSQL: use pg_dump.")
    backup.add_argument("destination", type=Path, metavar="FILE|FOLDER",
                        help="a new file, or a folder to write <name>-<UTC time>.sqlite3 in "
                             "(orders-20270110T020000Z.sqlite3)")
    _add_database(backup)
    backup.set_defaults(run=run_orders_backup)
    restore = actions.add_parser(
        "restore", help="put a backup back as the order store (the endpoint stopped)",
        description="Check a backup and write it into the SQLite order store through SQLite "
                    "(the store's journal stays consistent), after keeping the store as it was "
                    "beside it (<name>-before-restore-<UTC time>.sqlite3). Refused while the "
                    "endpoint has the store open: stop it first. PostgreSQL: use pg_restore.")
    restore.add_argument("backup", type=Path, metavar="BACKUP",
                         help="a file `linesheets orders backup` wrote")
    _add_database(restore)
    restore.set_defaults(run=run_orders_restore)


def _add_order_filters(command: argparse.ArgumentParser) -> None:
    command.add_argument("--link", help="only this link's orders (its slug)")
    command.add_argument("--season", help="only this season's orders (its id)")
    command.add_argument("--since", type=_day_or_moment, metavar="DATE",
                         help="received from this day or moment on, e.g. 2027-01-10 or "
                              "2027-01-10T09:00+09:00 (no offset: the brand's timezone)")
    command.add_argument("--until", type=_day_or_moment, metavar="DATE",
                         help="received up to this day (included) or before this moment")
    command.add_argument("--status", choices=("placed", "cancelled"),
                         help="only the orders that stand (placed), or only those cancelled")
    _add_order_store(command)


def _add_order_store(command: argparse.ArgumentParser) -> None:
    _add_database(command)
    command.add_argument("--timezone", type=_timezone, metavar="ZONE",
                         help="show times in this IANA timezone, e.g. Europe/Paris (default: "
                              "the brand's)")


def _add_database(command: argparse.ArgumentParser) -> None:
    command.add_argument("--database", metavar="URL",
                         help="the order store (default: $DATABASE_URL, else "
                              "sqlite:///data/orders.sqlite3)")


def _listed(value: str) -> list[str]:
    """A comma-separated option's values (`en,ja`), blanks between them dropped."""
    return [each.strip() for each in value.split(",") if each.strip()]


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


def _day(text: str) -> date:
    with contextlib.suppress(ValueError):
        if len(text) == 10:  # 2027-01-15, not the 20270115 Python also reads
            return date.fromisoformat(text)
    raise argparse.ArgumentTypeError(f"'{text}' is not an ISO 8601 date; write it as "
                                     "2027-01-15")


def _page_file(text: str) -> Path:
    """A printable page's file: HTML, which a browser opens and prints (or saves as PDF); a
    name ending in .pdf or .txt would hold HTML that nothing opens as such."""
    path = Path(text)
    if path.suffix.lower() not in (".html", ".htm"):
        raise argparse.ArgumentTypeError(
            f"'{text}' would hold a printable page, which is HTML: name it {path.stem}.html, "
            "then open it in a browser to print it or save it as PDF")
    return path


def _timezone(text: str) -> ZoneInfo:
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
        raise argparse.ArgumentTypeError(f"'{text}' is not a timezone; give an IANA name such "
                                         "as Asia/Tokyo, Europe/Paris or UTC") from None


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port; give a number from 1 to "
                                         "65535, e.g. 8000")
    return int(text)


def _workers(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of workers; give 1 or "
                                         "more")
    return int(text)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
