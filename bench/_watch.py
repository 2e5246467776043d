"""Site benchmark, the watch: `linesheets build --watch` started on a built site, then one
style's price edited again and again; each rebuild timed from the line that announces it to
the line that reports it, and from the edit to that line (which adds the watch's wake-up, at
once where inotify tells of the edit, else at its next look, every
`generator.watch.LOOK_EVERY` seconds, and its wait for the file to settle, `SETTLE`)."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench._process import ProcessError, Run, proc_size, tree_pss

_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Watched:
    """The rebuilds a watch made, and how long each took from its edit."""

    runs: tuple[Run, ...]  # per measured edit: the rebuild's time, CPU, memory, its line
    from_edit: tuple[float, ...]  # seconds from each edit to its rebuild's line


def time_watch(command: Sequence[str], edit: Callable[[int], object], warmups: int,
               edits: int, timeout: float, env: Mapping[str, str] | None = None) -> Watched:
    """Start `command` (a `linesheets build … --watch`, in `env`), make `warmups` + `edits`
    edits one after the other, each once the last is rebuilt; time the last `edits`."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, text=True, env=env)
    lines: queue.Queue[tuple[float, str]] = queue.Queue()
    seen: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put((time.perf_counter(), line))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()

    peak = 0

    def wait_for(pattern: str, deadline: float) -> tuple[float, str]:
        """The time and text of the next line matching `pattern`; the watch's memory is
        sampled meanwhile."""
        nonlocal peak
        while (left := deadline - time.perf_counter()) > 0:
            try:
                at, line = lines.get(timeout=min(left, 0.05))
            except queue.Empty:
                if process.poll() is not None:
                    break
                peak = max(peak, tree_pss(process.pid))
                continue
            seen.append(line)
            if re.search(pattern, line):
                return at, line
            if line.startswith("error:") or "problem" in line:
                break
        raise ProcessError(f"`{' '.join(command)}` printed no line matching '{pattern}' in "
                           f"time; it printed:\n{''.join(seen)[-2000:]}")

    runs: list[Run] = []
    from_edit: list[float] = []
    try:
        wait_for("^watching ", time.perf_counter() + timeout)
        for step in range(warmups + edits):
            before, peak = _cpu(process.pid), 0
            edit(step)  # the file written: only now can the watch see the edit
            edited = time.perf_counter()
            started, _ = wait_for("changed; rebuilding$", edited + timeout)
            ended, summary = wait_for("^built ", edited + timeout)
            if step >= warmups:
                runs.append(Run(ended - started, _cpu(process.pid) - before,
                                proc_size(process.pid, "status", "VmHWM:"), peak, summary))
                from_edit.append(ended - edited)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        finally:
            process.kill()
            reader.join(timeout=10)
            if process.stdout is not None:
                process.stdout.close()
    return Watched(tuple(runs), tuple(from_edit))


def _cpu(pid: int) -> float:
    """User + system seconds of a process so far (its own: a watch's small rebuilds render
    in it)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS
