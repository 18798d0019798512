"""The judge's handle on one worker: start it from the forkserver, call probes with a deadline, kill it."""

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

START_TIMEOUT = 30.0
def engine_tmp():
    """The judge's own temporary folder; hidden from every worker (other submissions live there)."""
    root = Path(tempfile.gettempdir()) / f"autograder-{os.getuid()}"
    root.mkdir(mode=0o700, exist_ok=True)
    return root


class ForkServer:
    """The judge's connection to its fork server process (one per judge process, started on first use)."""

    def __init__(self):
        ours, theirs = socket.socketpair()
        env = dict(os.environ, PYTORCH_NVML_BASED_CUDA_CHECK="1")
        self.process = subprocess.Popen([sys.executable, "-m", "autograder.sandbox.forkserver", str(theirs.fileno())],
                                        pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
        theirs.close()
        self.sock, self.lock, self.owner = ours, threading.Lock(), os.getpid()

    def spawn(self, wire):
        """Fork a keeper for `wire`; returns (worker socket, status socket) of the judge's side."""
        worker_ours, worker_theirs = socket.socketpair()
        status_ours, status_theirs = socket.socketpair()
        with self.lock:
            socket.send_fds(self.sock, [json.dumps(wire).encode()], [worker_theirs.fileno(), status_theirs.fileno()])
            reply = self.sock.recv(4096)
        worker_theirs.close()
        status_theirs.close()
        if not reply:
            raise WorkerFailure("forkserver", "the engine's fork server is not running")
        return worker_ours, status_ours


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
    """Kill this process's fork server and every keeper and worker it started (they share its process group)."""
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
    secrets: list = field(default_factory=list)
    device: str = "cpu"
    threads: int = 1
    memory_mb: int = 2048
    file_mb: int = 64
    open_files: int = 256
    pids_max: int = 64
    gpu_memory_fraction: float | None = None
    sandbox: bool = True


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
                                           for k in ("type", "message", "where", "missing_module"))


class Worker:
    """One sandboxed worker process. Start it, call probes, stop it; a dead worker is not reused."""

    def __init__(self, spec: WorkerSpec, cpu_seconds=3600):
        self.spec = spec
        self.cpu_seconds = cpu_seconds
        self.sock = self.status_sock = self.pid = self.cgroup = None
        self.exit_status = None
        self.protections = {}
        self.scratch = None
        self.dead = False
        self.calls = 0

    def start(self):
        spec = self.spec
        self.scratch = engine_tmp() / f"worker-{uuid.uuid4().hex[:12]}"
        self.scratch.mkdir()
        wire = {"sandbox": spec.sandbox, "isolation": os.environ.get("AUTOGRADER_ISOLATION", "auto"),
                "device": spec.device, "threads": spec.threads,
                "memory_mb": spec.memory_mb, "file_mb": spec.file_mb, "open_files": spec.open_files,
                "cpu_seconds": self.cpu_seconds, "aliases": dict(spec.aliases),
                "secrets": [str(s) for s in spec.secrets] + [str(engine_tmp())],
                "gpu_memory_fraction": spec.gpu_memory_fraction, "scratch": str(self.scratch)}
        submission = self.scratch / "submission"
        if spec.submission_dir is not None:
            shutil.copytree(spec.submission_dir, submission, symlinks=False)
        else:
            submission.mkdir()
        wire["submission_dir"] = str(submission)
        if spec.probes_file is not None:
            probes = self.scratch / "probes.py"
            shutil.copyfile(spec.probes_file, probes)
            wire["probes_file"] = str(probes)
        else:
            wire["probes_module"] = spec.probes_module
        if spec.sandbox:
            self.cgroup = WorkerCgroup.create(spec.pids_max, spec.memory_mb)
            if self.cgroup:
                wire["cgroup_dirs"] = [str(d) for d in self.cgroup.dirs]
        self.sock, self.status_sock = forkserver().spawn(wire)
        deadline = time.monotonic() + START_TIMEOUT
        try:
            started = channel.recv(self.status_sock, deadline)
        except channel.ChannelError:
            self.stop()
            raise WorkerFailure("start", "the worker could not be started") from None
        self.pid = started["pid"]
        ready = self._receive(deadline, "while starting")
        self.protections = dict(ready.get("protections", {}))
        if self.cgroup:
            self.protections["cgroup_limits"] = self.cgroup.limits
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
        """The keeper's report of how the worker ended ({'code': n} or {'signal': n}); waits a little."""
        if self.exit_status is None:
            try:
                self.exit_status = channel.recv(self.status_sock, time.monotonic() + 5)
            except channel.ChannelError:
                self.exit_status = {}
        return self.exit_status

    def _death(self, during):
        """Explain why the worker closed the channel, after making sure it is gone."""
        status = self._exit_status()
        oom = bool(self.cgroup and self.cgroup.oom_killed())
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
        if self.dead:
            raise WorkerFailure("dead", "the worker is no longer running")
        self.calls += 1
        try:
            channel.send(self.sock, {"kind": "call", "probe": probe, "kwargs": kwargs, "seq": self.calls})
        except OSError:
            raise self._death(f"in probe {probe!r}") from None
        try:
            answer = channel.recv(self.sock, time.monotonic() + timeout)
        except channel.ChannelTimeout:
            self.stop()
            raise WorkerFailure("timeout", f"time limit of {timeout:.1f} s exceeded") from None
        except channel.ChannelClosed:
            raise self._death(f"in probe {probe!r}") from None
        except channel.ChannelError as exc:
            self.stop()
            raise WorkerFailure("channel", f"the worker sent a malformed answer ({exc})") from None
        if not _well_formed(answer, self.calls) or channel.pending(self.sock):
            self.stop()
            raise WorkerFailure("channel", f"the grader's channel carried a message the engine did not write "
                                           f"during {probe!r}: code of the submission wrote to it")
        return answer

    def stop(self):
        """Kill the worker and everything it started; idempotent."""
        if self.dead:
            return
        self.dead = True
        if self.pid and self.status_sock is not None and self.exit_status is None:
            for kill in (os.kill, os.killpg):
                try:
                    kill(self.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        if self.cgroup:
            self.cgroup.kill_all()
        for sock in (self.sock, self.status_sock):
            if sock is not None:
                sock.close()
        if self.cgroup:
            self.cgroup.remove()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
