"""The `linesheets` console script: parse arguments, call one stage, report, set the exit code."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from pathlib import Path

from generator import __version__
from generator.catalog import load_catalog
from generator.errors import ContentError, LinesheetsError
from generator.passcode import MIN_LENGTH, hash_passcode


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        count = len(exc.problems)
        print(f"{count} problem{'s' if count != 1 else ''} found.",
              file=sys.stderr)
        return 1
    except LinesheetsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="linesheets", description="Wholesale linesheets and order links for fashion brands.")
    parser.add_argument("--version", action="version", version=f"linesheets {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="validate the content; print every problem")
    check.add_argument("content", nargs="?", type=Path, default=Path("content"),
                       help="the content directory (default: content/)")
    check.set_defaults(run=_check)

    passcode = commands.add_parser("passcode", help="passcode tools")
    passcode_commands = passcode.add_subparsers(dest="action", required=True, metavar="ACTION")
    hash_command = passcode_commands.add_parser(
        "hash", help="print a hash of a passcode to put in a link or buyer file")
    hash_command.set_defaults(run=_passcode_hash)
    return parser


def _check(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.content)
    print(f"ok: {catalog.summary()}")
    return 0


def _passcode_hash(args: argparse.Namespace) -> int:
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
