"""Site benchmark, measurement: a command -> one whole-process run (wall time, peak RSS of its
largest process from wait4, peak PSS of its whole process tree sampled from /proc)."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

_POLL = 0.005  # seconds between checks for the exit: noise far below the builds' seconds
_SAMPLE_EVERY = 50  # polls between memory samples (0.25 s): a build's peak lasts seconds


class ProcessError(RuntimeError):
    """A measured command failed or ran past its timeout."""


@dataclass(frozen=True)
class Run:
    """One run of a command."""

    seconds: float
    cpu: float  # user + system seconds of the process and the children it waited for
    peak_rss: int  # bytes: ru_maxrss from wait4, the largest single process of the tree
    peak_pss: int  # bytes: the largest sampled sum of PSS over the process and its children
    stdout: str


def run_timed(command: Sequence[str], timeout: float,
              env: Mapping[str, str] | None = None) -> Run:
    """Run a command to completion as its own process (in `env`, else this one's
    environment); measure time and memory."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                   env=env)
        deadline, polls, peak_pss = start + timeout, 0, 0
        while True:
            # wait4 gives this child's own rusage, not RUSAGE_CHILDREN's running maximum.
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                process.wait()
                raise ProcessError(f"`{' '.join(command)}` took over {timeout:.0f} s; killed")
            if polls % _SAMPLE_EVERY == 0:
                peak_pss = max(peak_pss, tree_pss(process.pid))
            polls += 1
            time.sleep(_POLL)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        if process.returncode != 0:
            err.seek(0)
            stderr = err.read().decode("utf-8", "replace").strip()
            raise ProcessError(f"`{' '.join(command)}` failed (exit {process.returncode}): "
                               f"{stderr[-2000:]}")
    rss = usage.ru_maxrss * 1024
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, cpu, rss, peak_pss or rss, stdout)  # no /proc: RSS is all we know


def tree_pss(pid: int) -> int:
    """Sum the proportional set size of a process and its descendants, in bytes.

    PSS splits pages shared copy-on-write between forked workers, so the sum is the memory
    the tree really holds; RSS would count the parent's pages once per worker. Processes
    that exit while being read count as zero.
    """
    total, pending, seen = 0, [pid], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        total += _pss(current)
        pending += _children(current)
    return total


def _pss(pid: int) -> int:
    return proc_size(pid, "smaps_rollup", "Pss:")


def proc_size(pid: int, name: str, field: str) -> int:
    """A size in bytes from a process's /proc/<pid>/<name> (a `field  N kB` line); 0 when
    the process or the field is gone."""
    try:
        text = Path(f"/proc/{pid}/{name}").read_text(encoding="ascii")
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith(field):
            return int(line.split()[1]) * 1024
    return 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found
