"""``python -m benchmarks.portal_worker ARGS``: ``python -m sync.cli ARGS``, and at exit
the process's peak resident set (``VmHWM``) written to ``$PORTAL_PEAK_FILE``.

``VmHWM`` belongs to the address space ``exec`` made, so unlike ``ru_maxrss`` it does
not start at the size of the benchmark that forked the worker (sandboxes included)."""

from __future__ import annotations

import atexit
import os
import runpy
from pathlib import Path


def write_peak() -> None:
    target = os.environ.get("PORTAL_PEAK_FILE")
    if not target:
        return
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            Path(target).write_text(line.split()[1])  # KiB


if __name__ == "__main__":
    atexit.register(write_peak)
    profile_dir = os.environ.get("PORTAL_PROFILE_DIR")
    if profile_dir:
        import cProfile  # only when asked: the figures are measured without it

        profiler = cProfile.Profile()
        atexit.register(lambda: profiler.dump_stats(f"{profile_dir}/worker-{os.getpid()}.prof"))
        profiler.enable()
    runpy.run_module("sync.cli", run_name="__main__", alter_sys=True)
