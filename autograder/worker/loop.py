"""The worker process, one per test, forked by the zygote: confines itself, then runs probe functions on
request and answers with plain data.

It uses torch only where the fork server preloaded it (the assignment's `preload`); a submission that
imports torch itself gets its thread count from the environment.
"""

import errno
import importlib.abc
import importlib.util
import io
import os
import signal
import sys
import traceback
import types

from autograder.worker import channel

from autograder import env
from autograder.worker import cuda, isolation

STDOUT_KEEP = 16 * 1024


class CappedStream(io.TextIOBase):
    """A stdout that keeps the first STDOUT_KEEP characters and counts the rest."""

    def __init__(self):
        self.kept, self.dropped = [], 0
        self.size = 0

    def writable(self):
        return True

    def write(self, text):
        room = STDOUT_KEEP - self.size
        if room > 0:
            self.kept.append(text[:room])
            self.size += min(len(text), room)
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def take(self):
        text = "".join(self.kept)
        if self.dropped:
            text += f"\n[... {self.dropped} more characters of output dropped]"
        self.kept, self.size, self.dropped = [], 0, 0
        return text


class AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Makes `alias.x` import the submission's own `target.x` (e.g. cs231n.classifiers -> classifiers)."""

    def __init__(self, aliases):
        self.aliases = aliases

    def _target(self, fullname):
        for alias, target in self.aliases.items():
            if fullname == alias or fullname.startswith(alias + "."):
                return target + fullname[len(alias):]
            if alias.startswith(fullname + "."):
                return ""  # a parent of an alias (e.g. cs231n): an empty namespace package
        return None

    def find_spec(self, fullname, path=None, target=None):
        if self._target(fullname) is None:
            return None
        return importlib.util.spec_from_loader(fullname, self, is_package=True)

    def create_module(self, spec):
        target = self._target(spec.name)
        if target:
            return importlib.import_module(target)
        return None

    def exec_module(self, module):
        if not hasattr(module, "__path__"):
            module.__path__ = []


class BrokenFinder(importlib.abc.MetaPathFinder):
    """Refuses, at once and with the cause, modules found before the tests to hang or crash when imported."""

    def __init__(self, broken):
        self.broken = broken

    def find_spec(self, fullname, path=None, target=None):
        if fullname in self.broken:
            raise ImportError(self.broken[fullname], name=fullname)
        return None


def _confine(spec, namespaces):
    """Apply the per-worker protections; returns what is in force, for the results."""
    protections = {}
    if namespaces is None:
        os.setsid()  # without a PID namespace the zygote kills the process group
    isolation.prctl(isolation.PR_SET_PDEATHSIG, signal.SIGKILL)
    if namespaces:
        isolation.private_scratch(spec["scratch_mb"])
        protections["scratch_quota_mb"] = spec["scratch_mb"]
    protections["rlimits"] = isolation.set_rlimits(
        spec["memory_mb"], spec["file_mb"], spec["open_files"], spec["cpu_seconds"])
    if namespaces:
        isolation.drop_privileges()
        protections["capabilities"] = "none"
    return protections


def set_threads(threads):
    """Thread counts of torch and the BLAS libraries; set in the zygote, so every worker inherits them."""
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(threads)
    except ImportError:
        pass


def _prepare_process(spec):
    """The worker's environment (an allowlist), working directory, streams and import path."""
    scratch = spec["scratch"]
    home, tmp = os.path.join(scratch, "home"), os.path.join(scratch, "tmp")
    os.makedirs(home, exist_ok=True)
    os.makedirs(tmp, exist_ok=True)
    kept = {k: os.environ[k] for k in isolation.KEPT_ENV if k in os.environ}
    kept.update(HOME=home, TMPDIR=tmp, MPLBACKEND="Agg", MPLCONFIGDIR=os.path.join(home, "mpl"),
                PYTHONDONTWRITEBYTECODE="1", **{env.WORKER_DEVICE: spec["device"],
                env.WORKER_INPUTS: spec.get("inputs_dir", ""), env.WORKER_ASSETS: spec.get("assets_dir", "")},
                **{name: str(spec["threads"]) for name in isolation.THREAD_ENV},
                **cuda.environment(spec.get("deterministic")))
    os.environ.clear()
    os.environ.update(kept)
    os.chdir(scratch)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    sys.stdout = sys.stderr = CappedStream()
    sys.dont_write_bytecode = True
    sys.path.insert(0, spec["submission_dir"])
    if spec.get("aliases"):
        sys.meta_path.insert(0, AliasFinder(spec["aliases"]))
    if spec.get("broken_modules"):
        sys.meta_path.insert(0, BrokenFinder(spec["broken_modules"]))
    return sorted(kept)


def _load_probes(spec, code):
    if spec.get("probes_module"):
        return importlib.import_module(spec["probes_module"])
    module = types.ModuleType("probes")
    module.__file__ = spec["probes_file"]
    sys.modules["probes"] = module
    exec(code, module.__dict__)
    return module


def _where(tb, submission_dir):
    """'file.py:12 in fn' for the innermost frame in the submission's own files, else None."""
    where = None
    for frame in traceback.extract_tb(tb):
        path = os.path.realpath(frame.filename)
        if path.startswith(submission_dir + os.sep):
            where = f"{os.path.relpath(path, submission_dir)}:{frame.lineno} in {frame.name}"
    return where


def _describe(exc, submission_dir):
    error = {"type": type(exc).__name__, "message": str(exc)[:2000],
             "where": _where(exc.__traceback__, submission_dir)}
    if isinstance(exc, NotImplementedError):
        error["not_attempted"] = True
    if isinstance(exc, ModuleNotFoundError):
        error["missing_module"] = exc.name
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        error["scratch_full"] = True
    if isinstance(exc, SystemExit):
        error["message"] = f"the submission called sys.exit({exc.code!r})"
    return error


def _cuda():
    """torch, where it is loaded and sees a GPU; else None."""
    torch = sys.modules.get("torch")
    return torch if torch is not None and torch.cuda.is_available() else None


def _device_stats(device):
    torch = _cuda() if device == "cuda" else None
    if torch is not None:
        return {"gpu_peak_bytes": int(torch.cuda.max_memory_allocated())}
    return {}


def _import_modules(names):
    failed = {}
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # reported by the tests themselves, with their own messages
            failed[name] = type(exc).__name__
    return {"failed": failed}


def worker_main(sock, spec, namespaces, probes_code):
    """Runs in a fresh child of the zygote: confine, load the probes, answer calls until the judge stops us."""
    protections = _confine(spec, namespaces)
    protections["environment"] = _prepare_process(spec)
    protections.update(cuda.configure(spec.get("deterministic"), spec["device"] == "cuda",
                                      spec.get("gpu_memory_fraction")))
    try:
        probes = _load_probes(spec, probes_code)
    except BaseException as exc:  # a probe file that cannot load is reported, not fatal to the judge
        channel.send(sock, {"kind": "ready", "protections": protections, "error": _describe(exc, "")})
        return
    channel.send(sock, {"kind": "ready", "protections": protections})
    submission_dir = os.path.realpath(spec["submission_dir"])
    while True:
        try:
            request = channel.recv(sock)
        except channel.ChannelClosed:
            return
        seq = request.get("seq")
        if request.get("kind") == "import":  # the judge's check, once a grade, that the modules import at all
            request = {"probe": "import_modules", "kwargs": {"names": request["modules"]}}
            fn = _import_modules
        else:
            fn = getattr(probes, request["probe"], None)
        if not callable(fn) or (fn is not _import_modules and request["probe"].startswith("_")):
            channel.send(sock, {"kind": "result", "ok": False, "seq": seq,
                                "error": {"type": "ProbeError", "message": f"no probe named {request['probe']!r}"}})
            continue
        nondeterministic = cuda.NondeterministicOps()
        try:
            with nondeterministic:
                value = fn(**request["kwargs"])
            answer = {"kind": "result", "ok": True, "value": value}
        except BaseException as exc:
            answer = {"kind": "result", "ok": False, "error": _describe(exc, submission_dir)}
        answer.update(seq=seq, output=sys.stdout.take(), **_device_stats(spec["device"]))
        if nondeterministic.ops:
            answer["nondeterministic_ops"] = nondeterministic.ops
        try:
            channel.send(sock, answer)
        except channel.ChannelError as exc:
            channel.send(sock, {"kind": "result", "ok": False, "seq": seq,
                                "error": {"type": "ChannelError", "message": str(exc)}})
