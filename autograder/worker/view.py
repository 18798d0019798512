"""What the worker's file system holds: an allowlist of host paths, worked out in the zygote.

Only these exist inside: the Python installation and environment this process imports from, the
shared libraries it has mapped plus the system library folders, a minimal `/etc`, a few device
nodes, and (mounted by the zygote) the submission, the probe file and a private scratch. The
checkout the engine runs from never enters: of it, only the engine package's own folder does.
"""

import glob
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import autograder

SYSTEM_LIBRARIES = ("/lib", "/lib32", "/lib64", "/libx32", "/usr/lib", "/usr/lib32", "/usr/lib64")
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
CUDA_DEVICES = ("/dev/nvidia*", "/dev/nvidia-caps")
ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/localtime", "/etc/nsswitch.conf")
PASSWD = "root:x:0:0:grader:/scratch/home:/bin/sh\n"
GROUP = "root:x:0:\n"
NOT_LIBRARIES = ("/dev", "/proc", "/sys")  # files mapped from there are shared memory, not libraries


class ViewError(Exception):
    """A path the worker needs cannot be put into its view."""


@dataclass
class View:
    binds: list = field(default_factory=list)      # host paths mounted read-only at the same path
    symlinks: dict = field(default_factory=dict)   # path -> target, recreated as they are on the host
    devices: list = field(default_factory=list)    # device nodes bound from the host
    files: dict = field(default_factory=dict)      # path -> bytes written into the view (/etc)
    masks: list = field(default_factory=list)      # folders inside a bind shown empty

    def roots(self):
        """What results.json records: every host path the worker can read."""
        return sorted(self.binds + self.devices)


def engine_folder():
    return Path(autograder.__file__).resolve().parent


def _mapped_files():
    """Files this process has mapped (its executable, libpython, every extension module and library)."""
    found = set()
    for line in Path("/proc/self/maps").read_text().splitlines():
        parts = line.split(None, 5)
        if len(parts) == 6 and parts[5].startswith("/") and not parts[5].endswith("(deleted)"):
            found.add(parts[5])
    return found


def _candidates():
    """Host paths the interpreter needs, before the checkout rule and de-duplication."""
    paths = [sys.prefix, sys.exec_prefix, os.path.dirname(sys.executable)]
    paths += [p for p in sys.path if p]
    paths += [p for p in os.environ.get("LD_LIBRARY_PATH", "").split(os.pathsep) if p]
    libraries = {os.path.dirname(f) for f in _mapped_files()}
    return paths + [d for d in libraries if not _covered(os.path.realpath(d), NOT_LIBRARIES)]


def _covered(path, roots):
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def allowlist(device="cpu", masks=(), never=()):
    """The view for this interpreter; `masks` are folders (held-out data, say) shown empty if they fall inside;
    nothing under `never` (the engine's temporary folder, where the other submissions are) enters."""
    engine = engine_folder()
    # An engine installed into the environment (the student zip's wheel) has site-packages for a parent, not a
    # checkout: its environment enters whole, as a checkout's .venv does.
    checkout = None if _covered(str(engine), [os.path.realpath(sys.prefix)]) else engine.parent
    view = View()
    resolved = {str(engine)}
    for path in _candidates():
        real = os.path.realpath(path)
        if not os.path.exists(real) or _covered(real, [os.path.realpath(n) for n in never]):
            continue
        # A path holding the engine's parent folder (an editable checkout, the working directory, `/`)
        # would bring the whole checkout; only the engine package itself goes in. Inside the checkout,
        # only the environment (a .venv there) may enter besides.
        if checkout and _covered(str(checkout), [real]):
            real = str(engine)
        elif checkout and _covered(real, [str(checkout)]) and not _covered(real, [str(engine), os.path.realpath(sys.prefix)]):
            continue
        resolved.add(real)
    for path in SYSTEM_LIBRARIES:
        if os.path.islink(path):
            view.symlinks[path] = os.readlink(path)
        elif os.path.isdir(path):
            resolved.add(path)
    for path in sorted(resolved, key=len):
        if not _covered(path, view.binds):
            view.binds.append(path)
    view.devices = [d for d in DEVICES if os.path.exists(d)]
    if device == "cuda":
        view.devices += sorted(p for pattern in CUDA_DEVICES for p in glob.glob(pattern))
        view.binds.append("/sys")  # the driver and NVML read the GPU's PCI entries there
    for path in ETC_FILES:
        try:
            view.files[path] = Path(path).read_bytes()
        except OSError:
            pass
    view.files["/etc/passwd"], view.files["/etc/group"] = PASSWD.encode(), GROUP.encode()
    view.masks = [os.path.realpath(m) for m in masks if os.path.isdir(m) and _covered(os.path.realpath(m), view.binds)]
    return view
