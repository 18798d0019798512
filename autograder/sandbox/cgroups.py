"""Per-submission control groups: a process-count and memory ceiling over the zygote's whole process tree."""

import os
import signal
import time
import uuid
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")


def detect():
    """'v2', 'v1' or None, by what is mounted and writable here."""
    if (ROOT / "cgroup.controllers").exists():
        return "v2" if os.access(ROOT, os.W_OK) else None
    if (ROOT / "pids").is_dir() and os.access(ROOT / "pids", os.W_OK):
        return "v1"
    return None


class WorkerCgroup:
    """The cgroup(s) one worker and all its descendants live in."""

    def __init__(self, version, dirs, limits):
        self.version, self.dirs, self.limits = version, dirs, limits

    @classmethod
    def create(cls, pids_max, memory_mb):
        """Make a fresh cgroup with the given limits; None where the host has no usable cgroups."""
        version = detect()
        name = f"autograder-{uuid.uuid4().hex[:12]}"
        dirs, limits = [], {}
        try:
            if version == "v1":
                pids = ROOT / "pids" / name
                pids.mkdir()
                dirs.append(pids)
                (pids / "pids.max").write_text(str(pids_max))
                limits["pids.max"] = pids_max
                if (ROOT / "memory").is_dir() and memory_mb:
                    mem = ROOT / "memory" / name
                    mem.mkdir()
                    dirs.append(mem)
                    (mem / "memory.limit_in_bytes").write_text(str(memory_mb * 2**20))
                    limits["memory.limit_in_bytes"] = memory_mb * 2**20
            elif version == "v2":
                group = ROOT / name
                group.mkdir()
                dirs.append(group)
                (group / "pids.max").write_text(str(pids_max))
                limits["pids.max"] = pids_max
                if memory_mb:
                    (group / "memory.max").write_text(str(memory_mb * 2**20))
                    limits["memory.max"] = memory_mb * 2**20
            else:
                return None
        except OSError:
            cls(version, dirs, limits).remove()
            return None
        return cls(version, dirs, limits)

    def oom_kills(self):
        """How many processes of this group the kernel has killed for exceeding the memory limit."""
        kills = 0
        for d in self.dirs:
            for f in ("memory.oom_control", "memory.events"):
                path = d / f
                if path.exists():
                    for line in path.read_text().splitlines():
                        key, _, value = line.partition(" ")
                        if key == "oom_kill":
                            kills += int(value)
        return kills

    def kill_all(self):
        """Kill every process left in the group (v2 has cgroup.kill; v1 kills pid by pid)."""
        for d in self.dirs:
            if (d / "cgroup.kill").exists():
                (d / "cgroup.kill").write_text("1")
                continue
            for pid in (d / "cgroup.procs").read_text().split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def remove(self):
        """Delete the group once its killed processes are gone (the kernel refuses while any remain)."""
        deadline = time.monotonic() + 2.0
        for d in self.dirs:
            while True:
                try:
                    d.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.01)

    def peak_bytes(self):
        """The group's peak memory use since the last reset_peak(), read by the judge (None if not measured)."""
        for d in self.dirs:
            for name in ("memory.max_usage_in_bytes", "memory.peak"):
                try:
                    return int((d / name).read_text().split()[0])
                except (OSError, ValueError, IndexError):
                    pass
        return None

    def reset_peak(self):
        for d in self.dirs:
            for name in ("memory.max_usage_in_bytes", "memory.peak"):
                try:
                    (d / name).write_text("0")
                except OSError:
                    pass
