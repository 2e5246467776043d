"""Site benchmark: the synthetic catalog of ../shared/bench, built by `linesheets build` with the
real templates and by Hugo from the same catalog, in the same run: whole processes, median of 3,
peak memory; then rebuilds of ours: without change, and after one style's price is edited, by
`linesheets build` and by `linesheets build --watch` (bench/_watch.py). Run
with the others by `make bench` (the 24k catalog; `LINESHEETS_BENCH_LARGE=1 make bench` adds the
96k one), or alone with `python -m bench.site [--large | --both]`."""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bench import Result
from bench._process import ProcessError, Run, run_timed
from bench._site_content import edit_price, read_catalog, write_content
from bench._watch import time_watch
from generator.watch import LOOK_EVERY, SETTLE

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
MAKE_CATALOG = SHARED / "bench" / "make_catalog.py"
WORK = ROOT / "build" / "bench"  # ../shared is read-only: everything generated goes here
STYLES, LARGE_STYLES = 500, 2000  # 24,096 and 96,096 Hugo pages
LINKS, LANGUAGES, CURRENCIES = 4, "en,ja,fr,zh", "JPY,USD,EUR"
LARGE_ENV = "LINESHEETS_BENCH_LARGE"
NOW = "2026-11-27T00:00:00+00:00"  # before the season's deadline: every link is open
REPEATS = 3  # `--repeats` changes it for a run alone (the 96k catalog takes long)
TARGET_RATIO = 1.0  # issue #4: a full build no slower than Hugo
TARGET_REBUILD = 0.10  # issue #4: a no-change rebuild within 10 % of the full build
# Issue #10, each against Hugo's full build of the same catalog in the same run:
TARGET_FAST = 0.5  # a full build in half Hugo's time
TARGET_MEMORY = 0.1  # a tenth of Hugo's peak memory
TARGET_NO_CHANGE = 0.02  # a no-change rebuild (0 files written)
TARGET_ONE_STYLE = 0.05  # a rebuild after one style's price changed
WATCH_WARMUPS, WATCH_EDITS = 2, 5  # edits under `build --watch`: not timed, timed
CATALOG_TIMEOUT = 600.0
LOCK_TIMEOUT = 3600.0  # another site benchmark on this checkout: wait for it, within reason
BUILD_TIMEOUT = 1800.0  # per process at 24k pages; ×4 for the large catalog
_SUMMARY = re.compile(r"(\d+) pages, (\d+) files: (\d+) written, (\d+) unchanged"
                      r"(?:, \d+ removed, (\d+) pages rendered)?")
_INSTALL_HUGO = ("hugo is not on PATH: install Debian's package (`apt-get install -y hugo`) to "
                 "compare with Hugo; timing linesheets alone")


_repeats = REPEATS


class BenchError(RuntimeError):
    """The benchmark cannot run: shared inputs, the catalog script or our command missing."""


@dataclass(frozen=True)
class Measure:
    """The median of repeated runs of one command."""

    label: str
    pages: int
    runs: tuple[Run, ...]

    @property
    def seconds(self) -> float:
        """Median wall time."""
        return statistics.median(run.seconds for run in self.runs)

    @property
    def peak_rss(self) -> int:
        """The largest process's peak RSS over the runs, in bytes."""
        return max(run.peak_rss for run in self.runs)

    @property
    def peak_pss(self) -> int:
        """The whole process tree's peak PSS over the runs, in bytes (its memory)."""
        return max(run.peak_pss for run in self.runs)

    @property
    def cpu(self) -> float:
        """Median CPU time (user + system, workers included)."""
        return statistics.median(run.cpu for run in self.runs)

    @property
    def rate(self) -> float:
        """Pages per second at the median time."""
        return self.pages / self.seconds


def run(large: bool | None = None, both: bool | None = None) -> list[Result]:
    """Run the site cases and return their results: the 24k catalog, the 96k one when `large`,
    or both in turn (the 96k catalog adds about a quarter of an hour on two cores)."""
    if large is None and both is None:
        both = os.environ.get(LARGE_ENV, "") not in ("", "0")
    sizes = [STYLES, LARGE_STYLES] if both else [LARGE_STYLES] if large else [STYLES]
    results: list[Result] = []
    with _exclusive(WORK / ".site.lock"):
        for styles in sizes:
            results += _run(styles, BUILD_TIMEOUT * styles / STYLES)
    return results


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """Hold a lock on the work folder: two runs would replace each other's inputs mid-build,
    and would share the CPU, so neither would measure what it reports."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        deadline = time.monotonic() + LOCK_TIMEOUT
        announced = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise BenchError(f"another site benchmark has held '{path}' for over "
                                     f"{LOCK_TIMEOUT:.0f} s; stop it or wait") from None
                if not announced:
                    print(f"waiting for another site benchmark to finish ({path})", flush=True)
                    announced = True
                time.sleep(1.0)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(styles: int, timeout: float) -> list[Result]:
    """Make the catalog, convert it, time both builders and our rebuilds; print and return."""
    revision = _revision()
    hugo_site, content = WORK / "hugo-site", WORK / "content"
    catalog = read_catalog(_make_catalog(styles, hugo_site, WORK / "catalog.json"))
    our_pages = write_content(catalog, content)
    hugo_pages = int(catalog["meta"]["pages"])
    hugo = shutil.which("hugo")
    linesheets = _linesheets()
    if hugo is None:
        print(_INSTALL_HUGO, flush=True)
    env = _installed_env()
    hugo_runs: list[Run] = []
    our_runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="linesheets-bench-site-", dir=_scratch()) as tmp:
        scratch = Path(tmp)
        for index in range(_repeats):  # interleaved, so drift on a shared VM hits both alike
            if hugo is not None:
                out = scratch / f"hugo-{index}"
                hugo_runs.append(run_timed([hugo, "-s", str(hugo_site), "-d", str(out),
                                            "--quiet"], timeout))
                shutil.rmtree(out)
            if index:
                shutil.rmtree(scratch / f"ours-{index - 1}")
            folder = scratch / f"ours-{index}"
            our_runs.append(run_timed(_build_command(linesheets, content, folder), timeout,
                                      env))
        last = scratch / f"ours-{_repeats - 1}"
        again = tuple(run_timed(_build_command(linesheets, content, last), timeout, env)
                      for _ in range(_repeats))
        edited = []
        for step in range(1, _repeats + 1):  # a new price each time: each rebuild has work
            style_no = edit_price(catalog, content, step)
            edited.append(run_timed(_build_command(linesheets, content, last), timeout, env))
        # The same edit under `build --watch`, which stays loaded between edits: its first
        # rebuilds read and validate the whole catalog once, then each edit costs its share.
        watched = time_watch(
            [*_build_command(linesheets, content, last), "--watch"],
            lambda step: edit_price(catalog, content, _repeats + 1 + step),
            WATCH_WARMUPS, max(_repeats, WATCH_EDITS), timeout, env)
    pages = _pages(our_runs[0], our_pages)
    measures = [Measure("linesheets build", pages, tuple(our_runs)),
                Measure("no-change rebuild", pages, again),
                Measure(f"one style's price edited ({style_no})", pages, tuple(edited)),
                Measure("the same, rebuilt by `build --watch`", pages, watched.runs)]
    hugo_measure = (Measure(_hugo_version(hugo or "hugo"), hugo_pages, tuple(hugo_runs))
                    if hugo_runs else None)
    later = _revision()
    if later != revision:  # someone committed or edited during the run: say so
        revision = f"{revision}, then {later}"
    print(_report(hugo_measure, measures, styles, revision, watched.from_edit), flush=True)
    return _results(hugo_measure, measures, styles)


def _installed_env() -> dict[str, str]:
    """Our commands' environment, as on an installed machine: Python keeps its compiled
    modules (pip compiles them at install; Hugo is compiled too). A shell that sets
    PYTHONDONTWRITEBYTECODE would have every run compile the generator again; the cache goes
    under WORK, out of the source tree, and is filled before the first timed run."""
    env = {name: value for name, value in os.environ.items()
           if name != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(WORK / "pycache")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "generator")],
                   env=env, check=True, capture_output=True, timeout=CATALOG_TIMEOUT)
    return env


def _make_catalog(styles: int, site: Path, json_path: Path) -> Path:
    """Write the Hugo site and catalog.json with ../shared/bench/make_catalog.py."""
    if not MAKE_CATALOG.is_file():
        raise BenchError(f"'{MAKE_CATALOG}' not found: the site benchmark needs the shared "
                         f"benchmark folder beside the repository ({SHARED}); check it out "
                         "there, or run the other cases alone")
    json_path.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(MAKE_CATALOG), "--styles", str(styles), "--links",
               str(LINKS), "--langs", LANGUAGES, "--currencies", CURRENCIES,
               "--site", str(site), "--json", str(json_path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=CATALOG_TIMEOUT,
                          check=False)
    if done.returncode != 0:
        raise BenchError(f"make_catalog.py failed (exit {done.returncode}): "
                         f"{done.stderr.strip()[-2000:]}")
    return json_path


def _linesheets() -> str:
    """The console script of this environment (.venv/bin/linesheets under `make bench`)."""
    beside = Path(sys.executable).with_name("linesheets")
    found = str(beside) if beside.is_file() else shutil.which("linesheets")
    if found is None:
        raise BenchError("the `linesheets` command is not installed; run `make install`")
    return found


def _scratch() -> str | None:
    """Where outputs go: tmpfs when there is one, so disk speed does not enter the figures."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def _build_command(linesheets: str, content: Path, folder: Path) -> list[str]:
    # The CLI puts the asset cache and the manifest beside --private: all inside `folder`.
    return [linesheets, "build", str(content), "--out", str(folder / "out"),
            "--private", str(folder / "private"), "--now", NOW]


def _pages(run: Run, planned: int) -> int:
    """The pages our build reports, checked against what the conversion planned."""
    match = _SUMMARY.search(run.stdout)
    if match is None:
        raise BenchError(f"cannot read the page count in `linesheets build` output: "
                         f"'{run.stdout.strip()}'")
    pages = int(match[1])
    if pages != planned:
        raise BenchError(f"linesheets built {pages} pages, the conversion planned {planned}; "
                         "update bench/_site_content.py to the new page set")
    return pages


def _written(run: Run) -> int:
    match = _SUMMARY.search(run.stdout)
    return int(match[3]) if match else -1


def _rendered(run: Run) -> int:
    """Pages our build rendered (the rest were unchanged since the last build)."""
    match = _SUMMARY.search(run.stdout)
    if match is None:
        return -1
    return int(match[5]) if match[5] is not None else 0 if int(match[3]) == 0 else int(match[1])


def _counts(measure: Measure, count: Callable[[Run], int]) -> str:
    """A count per run, or the one count when every run gave the same."""
    values = [count(run) for run in measure.runs]
    return f"{values[0]:,}" if len(set(values)) == 1 else " / ".join(f"{v:,}" for v in values)


def _hugo_version(hugo: str) -> str:
    done = subprocess.run([hugo, "version"], capture_output=True, text=True, timeout=60,
                          check=False)
    match = re.search(r"v(\d+\.\d+\.\d+)", done.stdout)
    return f"Hugo {match[1]}" if match else "Hugo"


def _gib(size: int) -> str:
    return f"{size / 2**30:.2f} GiB"


def _revision() -> str:
    """The commit measured, and whether the working tree differed from it."""
    try:
        done = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                              capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return "unknown"
    return done.stdout.strip() or "unknown"


def _report(hugo: Measure | None, ours: list[Measure], styles: int, revision: str,
            from_edit: tuple[float, ...]) -> str:
    full, no_change, one_style, watched = ours
    rows = [f"site build, {styles} styles, median of {_repeats} (output on "
            f"{_scratch() or tempfile.gettempdir()}; linesheets at {revision}):",
            "| build | pages | rendered | files written | time | × Hugo's time | pages/s | CPU "
            "| peak memory (PSS) | × Hugo's memory | largest process (RSS) | runs (s) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for m in ([hugo] if hugo else []) + ours:
        mine = m is not hugo
        time_ratio = f"{m.seconds / hugo.seconds:.3f}" if hugo else "–"
        memory_ratio = f"{m.peak_pss / hugo.peak_pss:.2f}" if hugo else "–"
        rows.append(
            f"| {m.label} | {m.pages:,} | {_counts(m, _rendered) if mine else '–'} | "
            f"{_counts(m, _written) if mine else '–'} | {m.seconds:.2f} s | {time_ratio} | "
            f"{m.rate:,.0f} | {m.cpu:.1f} s | {_gib(m.peak_pss)} | {memory_ratio} | "
            f"{_gib(m.peak_rss)} | {', '.join(f'{r.seconds:.1f}' for r in m.runs)} |")
    share = no_change.seconds / full.seconds
    written = sorted({_written(run) for run in no_change.runs})
    rows.append(f"- `build --watch`: {len(watched.runs)} edits after {WATCH_WARMUPS} to warm "
                f"up; the time is the rebuild's, from the line announcing it to the line "
                f"reporting it; from the edit to that line (the watch wakes on the edit "
                f"where inotify tells of it, else looks every {LOOK_EVERY} s, then waits "
                f"{SETTLE} s for the file to settle): median "
                f"{statistics.median(from_edit):.2f} s "
                f"({', '.join(f'{value:.2f}' for value in from_edit)}); its memory is the "
                "watch process's, which keeps the catalog and the last build loaded")
    rows.append(f"- #4: no-change rebuild / full build = {share:.3f} "
                f"({_verdict(share, TARGET_REBUILD)} ≤ {TARGET_REBUILD}); files written per "
                f"no-change rebuild: {written}")
    if hugo is None:
        return "\n".join(rows)
    checks = [
        ("#4: full build / Hugo's", full.seconds / hugo.seconds, TARGET_RATIO),
        ("#10: full build / Hugo's", full.seconds / hugo.seconds, TARGET_FAST),
        ("#10: peak memory / Hugo's", full.peak_pss / hugo.peak_pss, TARGET_MEMORY),
        ("#10: no-change rebuild / Hugo's full build", no_change.seconds / hugo.seconds,
         TARGET_NO_CHANGE),
        ("#10: one style's price edited / Hugo's full build", one_style.seconds / hugo.seconds,
         TARGET_ONE_STYLE),
        ("#10: one style's price edited, rebuilt by `build --watch` / Hugo's full build",
         watched.seconds / hugo.seconds, TARGET_ONE_STYLE),
    ]
    rows += [f"- {label} = {value:.3f} ({_verdict(value, target)} ≤ {target})"
             for label, value, target in checks]
    return "\n".join(rows)


def _verdict(value: float, target: float) -> str:
    return "meets" if value <= target else "misses"


def _results(hugo: Measure | None, ours: list[Measure], styles: int) -> list[Result]:
    results = []
    for measure in ([hugo] if hugo else []) + ours:
        note = f"pages; median of {_repeats}; peak memory {_gib(measure.peak_pss)}"
        if measure is not hugo:
            if hugo is not None:
                note += f"; {measure.seconds / hugo.seconds:.3f}× Hugo's full build"
            note += (f"; {_counts(measure, _rendered)} rendered, "
                     f"{_counts(measure, _written)} files written")
        results.append(Result(f"site ({styles} styles): {measure.label}", measure.pages,
                              measure.seconds, note))
    return results


def main() -> None:
    """Run this case alone and print its table."""
    from bench.__main__ import _cpu_model, _table

    parser = argparse.ArgumentParser(prog="python -m bench.site", description=__doc__)
    parser.add_argument("--large", action="store_true",
                        help=f"the 96k-page catalog ({LARGE_STYLES} styles) instead of 24k")
    parser.add_argument("--both", action="store_true", help="the 24k, then the 96k catalog")
    parser.add_argument("--repeats", type=int, default=REPEATS,
                        help=f"runs of each build (default {REPEATS}; times are their median)")
    args = parser.parse_args()
    global _repeats
    _repeats = max(1, args.repeats)
    print(f"machine: {os.cpu_count()} CPUs, {_cpu_model()}; Python {sys.version.split()[0]}",
          flush=True)
    try:
        results = run(large=args.large or None, both=args.both or None)
    except (BenchError, ProcessError) as exc:
        sys.exit(f"error: {exc}")
    print(_table(results))


if __name__ == "__main__":
    main()
