"""The worker process: confines itself, then runs probe functions on request and answers with plain data.

This module is preloaded by the forkserver, so it imports torch and numpy up
front but never runs a torch operation at import (a fork after an OpenMP
parallel region hangs the child).
"""

import importlib.abc
import importlib.util
import io
import os
import signal
import sys
import traceback

import numpy  # noqa: F401  (preloaded for the forkserver)
import torch  # noqa: F401

from autograder import channel
from autograder.sandbox import isolation

STDOUT_KEEP = 16 * 1024
_KEPT_ENV = ("PATH", "LANG", "LC_ALL", "TERM", "PYTORCH_NVML_BASED_CUDA_CHECK", "CUDA_VISIBLE_DEVICES")


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


def keeper_main(sock, status_sock, spec):
    """Runs in the fork server's child: set up namespaces, fork the worker, report its pid and its end."""
    isolation.prctl(isolation.PR_SET_PDEATHSIG, signal.SIGKILL)  # and the worker dies with us in turn
    namespaces = isolation.unshare_namespaces(spec["isolation"]) if spec["sandbox"] else None
    for d in spec.get("cgroup_dirs", []):
        with open(os.path.join(d, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        status_sock.close()
        os.close(go_w)
        os.read(go_r, 1)
        os.close(go_r)
        code = 70
        try:
            worker_main(sock, spec, namespaces)
            code = 0
        finally:
            os._exit(code)
    os.close(go_r)
    sock.close()
    channel.send(status_sock, {"kind": "started", "pid": pid, "namespaces": namespaces})
    os.write(go_w, b"g")
    os.close(go_w)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        channel.send(status_sock, {"kind": "exit", "signal": os.WTERMSIG(status)})
    else:
        channel.send(status_sock, {"kind": "exit", "code": os.WEXITSTATUS(status)})
    os._exit(0)


def _confine(spec, namespaces):
    """Apply every protection this OS allows; returns what is in force, for the results."""
    protections = {"namespaces": namespaces, "cgroup": bool(spec.get("cgroup_dirs"))}
    if namespaces is None:
        os.setsid()  # without a PID namespace the judge kills the process group
    isolation.prctl(isolation.PR_SET_PDEATHSIG, signal.SIGKILL)
    if namespaces:
        protections["hidden"] = isolation.confine_filesystem(spec["scratch"], spec["secrets"])
        protections["network"] = "none"
        protections["read_only"] = True
    protections["rlimits"] = isolation.set_rlimits(
        spec["memory_mb"], spec["file_mb"], spec["open_files"], spec["cpu_seconds"])
    if namespaces:
        isolation.drop_privileges()
        protections["capabilities"] = "none"
    return protections


def _prepare_process(spec):
    scratch = spec["scratch"]
    home = os.path.join(scratch, "home")
    os.makedirs(os.path.join(home, "tmp"), exist_ok=True)
    env = {k: os.environ[k] for k in _KEPT_ENV if k in os.environ}
    env.update(HOME=home, TMPDIR=os.path.join(home, "tmp"), MPLBACKEND="Agg",
               MPLCONFIGDIR=os.path.join(home, "mpl"), PYTHONDONTWRITEBYTECODE="1")
    os.environ.clear()
    os.environ.update(env)
    os.chdir(spec["submission_dir"])
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    sys.stdout = sys.stderr = CappedStream()
    torch.set_num_threads(spec["threads"])
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(spec["threads"])
    except ImportError:
        pass
    sys.dont_write_bytecode = True
    sys.path.insert(0, spec["submission_dir"])
    if spec.get("aliases"):
        sys.meta_path.insert(0, AliasFinder(spec["aliases"]))


def _load_probes(spec):
    if "probes_module" in spec:
        return importlib.import_module(spec["probes_module"])
    loader_spec = importlib.util.spec_from_file_location("probes", spec["probes_file"])
    module = importlib.util.module_from_spec(loader_spec)
    loader_spec.loader.exec_module(module)
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
    if isinstance(exc, SystemExit):
        error["message"] = f"the submission called sys.exit({exc.code!r})"
    return error


def _device_stats(device):
    if device == "cuda" and torch.cuda.is_available():
        return {"gpu_peak_bytes": int(torch.cuda.max_memory_allocated())}
    return {}


def worker_main(sock, spec, namespaces):
    protections = _confine(spec, namespaces)
    _prepare_process(spec)
    if spec["device"] == "cuda" and torch.cuda.is_available() and spec.get("gpu_memory_fraction"):
        torch.cuda.set_per_process_memory_fraction(spec["gpu_memory_fraction"])
        protections["gpu_memory_fraction"] = spec["gpu_memory_fraction"]
    os.environ["AUTOGRADER_DEVICE"] = spec["device"]
    try:
        probes = _load_probes(spec)
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
        fn = getattr(probes, request["probe"], None)
        if not callable(fn) or request["probe"].startswith("_"):
            channel.send(sock, {"kind": "result", "ok": False, "seq": seq,
                                "error": {"type": "ProbeError", "message": f"no probe named {request['probe']!r}"}})
            continue
        try:
            value = fn(**request["kwargs"])
            answer = {"kind": "result", "ok": True, "value": value}
        except BaseException as exc:
            answer = {"kind": "result", "ok": False, "error": _describe(exc, submission_dir)}
        answer.update(seq=seq, output=sys.stdout.take(), **_device_stats(spec["device"]))
        try:
            channel.send(sock, answer)
        except channel.ChannelError as exc:
            channel.send(sock, {"kind": "result", "ok": False, "seq": seq,
                                "error": {"type": "ChannelError", "message": str(exc)}})
