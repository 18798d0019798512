"""The judge's handle on one worker: start it from the forkserver, call probes with a deadline, kill it."""

import compileall
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from autograder import channel
from autograder.sandbox.cgroups import WorkerCgroup
from autograder.sandbox.isolation import KEPT_ENV, THREAD_ENV

START_TIMEOUT = 30.0
def engine_tmp():
    """The judge's own temporary folder; hidden from every worker (other submissions live there)."""
    root = Path(tempfile.gettempdir()) / f"autograder-{os.getuid()}"
    root.mkdir(mode=0o700, exist_ok=True)
    return root


def forkserver_env():
    """The fork server's whole environment (and so every worker's, /proc/self/environ included): an allowlist."""
    home = engine_tmp() / "forkserver"
    home.mkdir(exist_ok=True)
    env = {k: os.environ[k] for k in KEPT_ENV + THREAD_ENV if k in os.environ}
    env.update(HOME=str(home), TMPDIR=str(home), MPLBACKEND="Agg", PYTORCH_NVML_BASED_CUDA_CHECK="1")
    return env


class ForkServer:
    """The judge's connection to its fork server process (one per judge process, started on first use)."""

    def __init__(self):
        ours, theirs = socket.socketpair()
        # -P: the working directory (a TA's home, a checkout) stays off the fork server's import path.
        self.process = subprocess.Popen([sys.executable, "-P", "-m", "autograder.sandbox.forkserver",
                                         str(theirs.fileno())], pass_fds=[theirs.fileno()], env=forkserver_env(),
                                        stdin=subprocess.DEVNULL, start_new_session=True, cwd="/")
        theirs.close()
        self.sock, self.lock, self.owner = ours, threading.Lock(), os.getpid()

    def spawn(self, wire):
        """Fork a zygote for `wire`; returns the judge's end of its control socket and the child's pid."""
        ours, theirs = socket.socketpair()
        with self.lock:
            socket.send_fds(self.sock, [json.dumps(wire).encode()], [theirs.fileno()])
            reply = self.sock.recv(4096)
        theirs.close()
        if not reply:
            raise WorkerFailure("forkserver", "the engine's fork server is not running")
        return ours, json.loads(reply)["pid"]


_server = None
_server_lock = threading.Lock()


def forkserver():
    """This process's fork server, started on first use (about 1.5 s once, then about 20 ms a worker)."""
    global _server
    with _server_lock:
        if _server is None or _server.owner != os.getpid() or _server.process.poll() is not None:
            _server = ForkServer()
        return _server


def shutdown_forkserver():
    """Kill this process's fork server and every zygote and worker it started (they die with it)."""
    global _server
    with _server_lock:
        if _server is not None and _server.owner == os.getpid():
            try:
                os.killpg(_server.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            _server.process.wait()
        _server = None


class WorkerFailure(Exception):
    """The worker did not answer: it timed out, crashed, ran out of memory or sent garbage."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


@dataclass
class WorkerSpec:
    """Everything the worker needs to know; all of it is plain data."""

    submission_dir: Path | None
    probes_file: Path | None = None
    probes_module: str | None = None
    aliases: dict = field(default_factory=dict)
    masks: list = field(default_factory=list)      # folders inside the view shown empty (held-out data)
    device: str = "cpu"
    threads: int = 1
    memory_mb: int = 2048
    file_mb: int = 64
    scratch_mb: int = 256
    open_files: int = 256
    pids_max: int = 64
    gpu_memory_fraction: float | None = None
    sandbox: bool = True
    broken_modules: dict = field(default_factory=dict)   # module -> why importing it is refused at once


class Zygote:
    """The judge's handle on one submission's zygote: the sandbox made once, a worker forked per test."""

    def __init__(self, spec: WorkerSpec):
        self.spec = spec
        self.control = self.cgroup = self.folder = self.pid = None
        self.protections = {}
        self.lock = threading.Lock()
        self.dead = False

    def start(self):
        spec = self.spec
        self.folder = engine_tmp() / f"zygote-{uuid.uuid4().hex[:12]}"
        (self.folder / "root").mkdir(parents=True)
        if spec.submission_dir is not None:  # the one private copy of this grade: tests cannot change it
            shutil.copytree(spec.submission_dir, self.folder / "submission", symlinks=False)
        else:
            (self.folder / "submission").mkdir()
        compileall.compile_dir(self.folder / "submission", quiet=2)  # by the judge: workers only read the bytecode
        wire = {"sandbox": spec.sandbox, "isolation": os.environ.get("AUTOGRADER_ISOLATION", "auto"),
                "device": spec.device, "threads": spec.threads, "dir": str(self.folder),
                "masks": [str(m) for m in spec.masks]}
        if spec.probes_file is not None:
            shutil.copyfile(spec.probes_file, self.folder / "probes.py")
            wire["probes_file"] = str(self.folder / "probes.py")
        if spec.sandbox:
            self.cgroup = WorkerCgroup.create(spec.pids_max + 2, spec.memory_mb)  # + the zygote and its parent
            if self.cgroup:
                wire["cgroup_dirs"] = [str(d) for d in self.cgroup.dirs]
        self.control, self.pid = forkserver().spawn(wire)
        try:
            ready = channel.recv(self.control, time.monotonic() + START_TIMEOUT)
        except channel.ChannelError:
            self.stop()
            raise WorkerFailure("start", "the sandbox could not be started") from None
        if "error" in ready:
            self.stop()
            raise WorkerFailure("start", ready["error"])
        self.protections = dict(ready["protections"])
        if self.cgroup:
            self.protections["cgroup_limits"] = self.cgroup.limits
        return self

    def request(self, message, fds=()):
        """Send the zygote one request (a spawn carries the worker's two sockets) and wait for its reply."""
        with self.lock:
            if self.dead:
                raise WorkerFailure("start", "the sandbox of this submission is no longer running")
            try:
                socket.send_fds(self.control, [json.dumps(message).encode()], list(fds))
                self.control.settimeout(START_TIMEOUT)
                reply = self.control.recv(16)
            except OSError:
                reply = b""
            if not reply:
                self.dead = True
                raise WorkerFailure("start", "the sandbox of this submission stopped")

    def oom_kills(self):
        return self.cgroup.oom_kills() if self.cgroup else 0

    def stop(self):
        """End the zygote and everything in its sandbox (it is PID 1 there); idempotent."""
        self.dead = True
        if self.control is not None:
            self.control.close()
            self.control = None
        if self.pid is not None:  # the zygote's parent: the zygote dies with it, and its namespace with it
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.pid = None
        if self.cgroup:
            self.cgroup.kill_all()
            self.cgroup.remove()
            self.cgroup = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _pid_of(pidfd):
    """The process's pid in this (the judge's) PID namespace, from the pidfd's fdinfo."""
    for line in Path(f"/proc/self/fdinfo/{pidfd}").read_text().splitlines():
        if line.startswith("Pid:"):
            return int(line.split()[1])
    return None


def _well_formed(answer, seq):
    """Whether `answer` is the worker's own reply to call number `seq` (the envelope its loop writes)."""
    if not isinstance(answer, dict) or answer.get("kind") != "result" or answer.get("seq") != seq:
        return False
    if not isinstance(answer.get("ok"), bool) or not isinstance(answer.get("output", ""), str):
        return False
    error = answer.get("error")
    if answer["ok"]:
        return "value" in answer and error is None
    return isinstance(error, dict) and all(isinstance(error.get(k, ""), (str, type(None), bool))
                                           for k in ("type", "message", "where", "missing_module", "scratch_full"))


class Worker:
    """One test's worker process, forked by the submission's zygote (its own one when none is given).

    Start it, call probes, stop it; a dead worker is not reused.
    """

    def __init__(self, spec: WorkerSpec, cpu_seconds=3600, zygote=None):
        self.spec = spec
        self.cpu_seconds = cpu_seconds
        self.zygote, self.own_zygote = zygote, zygote is None
        self.sock = self.status_sock = self.pidfd = self.pid = None
        self.exit_status = None
        self.protections = {}
        self.dead = False
        self.calls = 0
        self.oom_before = 0

    def start(self):
        spec = self.spec
        if self.zygote is None:
            self.zygote = Zygote(spec).start()
        wire = {"kind": "spawn", "device": spec.device, "memory_mb": spec.memory_mb,
                "file_mb": spec.file_mb, "scratch_mb": spec.scratch_mb, "open_files": spec.open_files,
                "cpu_seconds": self.cpu_seconds, "aliases": dict(spec.aliases),
                "gpu_memory_fraction": spec.gpu_memory_fraction, "probes_module": spec.probes_module,
                "broken_modules": dict(spec.broken_modules)}
        self.oom_before = self.zygote.oom_kills()
        if self.zygote.cgroup:
            self.zygote.cgroup.reset_peak()
        worker_ours, worker_theirs = socket.socketpair()
        status_ours, status_theirs = socket.socketpair()
        try:
            self.zygote.request(wire, [worker_theirs.fileno(), status_theirs.fileno()])
        except WorkerFailure:
            worker_ours.close()
            status_ours.close()
            self.dead = True
            raise
        finally:
            worker_theirs.close()
            status_theirs.close()
        self.sock, self.status_sock = worker_ours, status_ours
        deadline = time.monotonic() + START_TIMEOUT
        try:
            self.status_sock.settimeout(START_TIMEOUT)
            _, fds, _, _ = socket.recv_fds(self.status_sock, 1, 1)
            self.status_sock.settimeout(None)
            self.pidfd = fds[0]
        except (OSError, IndexError):
            self.stop()
            raise WorkerFailure("start", "the worker could not be started") from None
        self.pid = _pid_of(self.pidfd)
        ready = self._receive(deadline, "while starting")
        self.protections = dict(ready.get("protections", {}))
        if self.zygote.cgroup:
            self.protections["cgroup_limits"] = self.zygote.cgroup.limits
        if "error" in ready:
            self.stop()
            raise WorkerFailure("probes", f"the probe file failed to load: {ready['error']['type']}: "
                                          f"{ready['error']['message']}")
        return self

    def _receive(self, deadline, during):
        try:
            return channel.recv(self.sock, deadline)
        except channel.ChannelTimeout:
            self.stop()
            raise WorkerFailure("timeout", f"no answer {during}") from None
        except channel.ChannelClosed:
            raise self._death(during) from None
        except channel.ChannelError as exc:
            self.stop()
            raise WorkerFailure("channel", f"the worker sent a malformed answer {during} ({exc})") from None

    def _exit_status(self):
        """The zygote's report of how the worker ended ({'code': n} or {'signal': n}); waits a little."""
        if self.exit_status is None:
            try:
                self.exit_status = channel.recv(self.status_sock, time.monotonic() + 5)
            except channel.ChannelError:
                self.exit_status = {}
        return self.exit_status

    def _death(self, during):
        """Explain why the worker closed the channel, after making sure it is gone."""
        status = self._exit_status()
        oom = self.zygote.oom_kills() > self.oom_before
        self.stop()
        if oom:
            return WorkerFailure("memory", f"the worker was killed {during}: memory limit of "
                                           f"{self.spec.memory_mb} MiB exceeded")
        if "signal" in status:
            sig = signal.Signals(status["signal"])
            what = {signal.SIGSEGV: "crashed with a segmentation fault (SIGSEGV)",
                    signal.SIGXCPU: f"used up its CPU-time backstop of {self.cpu_seconds} s (SIGXCPU)",
                    signal.SIGKILL: "was killed (SIGKILL)",
                    signal.SIGABRT: "aborted (SIGABRT)"}.get(sig, f"was killed by signal {sig.name}")
            return WorkerFailure("crash", f"the worker {what} {during}")
        code = status.get("code", "unknown")
        return WorkerFailure("exit", f"the worker exited with status {code} {during}; "
                                     f"does the submission call os._exit() or sys.exit()?")

    def call(self, probe, kwargs, timeout):
        """Run one probe; returns the worker's answer dict or raises WorkerFailure."""
        return self._request({"kind": "call", "probe": probe, "kwargs": kwargs}, f"in probe {probe!r}", timeout)

    def call_import(self, modules, timeout):
        """Import `modules` (the submission's own); returns the answer, whose value names those that raised."""
        return self._request({"kind": "import", "modules": modules}, "", timeout)

    def _request(self, message, during, timeout):
        if self.dead:
            raise WorkerFailure("dead", "the worker is no longer running")
        self.calls += 1
        try:
            channel.send(self.sock, {**message, "seq": self.calls})
        except OSError:
            raise self._death(during) from None
        try:
            answer = channel.recv(self.sock, time.monotonic() + timeout)
        except channel.ChannelTimeout:
            self.stop()
            raise WorkerFailure("timeout", f"time limit of {timeout:.1f} s exceeded") from None
        except channel.ChannelClosed:
            raise self._death(during) from None
        except channel.ChannelError as exc:  # the engine's own frames are always well formed
            self.stop()
            raise WorkerFailure("channel", f"the grader's channel carried bytes the engine did not write {during}: "
                                           f"code of the submission wrote to it ({exc})") from None
        if not _well_formed(answer, self.calls) or channel.pending(self.sock):
            self.stop()
            raise WorkerFailure("channel", f"the grader's channel carried a message the engine did not write "
                                           f"{during}: code of the submission wrote to it")
        answer.pop("memory_peak_bytes", None)  # only the judge's own reading counts
        if self.zygote.cgroup:
            answer["memory_peak_bytes"] = self.zygote.cgroup.peak_bytes()
        return answer

    def stop(self):
        """Kill the worker and everything it started; idempotent."""
        if self.dead:
            return
        self.dead = True
        if self.pidfd is not None:
            if self.exit_status is None:
                try:
                    signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
                except (ProcessLookupError, PermissionError, OSError):
                    pass
            os.close(self.pidfd)
            self.pidfd = None
        for sock in (self.sock, self.status_sock):
            if sock is not None:
                sock.close()
        if self.own_zygote:
            self.zygote.stop()
        else:
            try:
                self.zygote.request({"kind": "sweep"})  # what the worker left running dies now
            except WorkerFailure:
                pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
