"""The judge's side of starting sandboxes: the fork server process and each submission's zygote."""

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

from autograder.worker import channel

from autograder import env
from autograder.assignments import PRELOAD, Limits
from autograder.sandbox.cgroups import WorkerCgroup
from autograder.worker.isolation import KEPT_ENV, THREAD_ENV

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
    """The judge's connection to a fork server process that preloaded `preload` (started on first use)."""

    def __init__(self, preload):
        ours, theirs = socket.socketpair()
        # -P: the working directory (a TA's home, a checkout) stays off the fork server's import path.
        self.process = subprocess.Popen([sys.executable, "-P", "-m", "autograder.worker.forkserver",
                                         str(theirs.fileno()), ",".join(preload)], pass_fds=[theirs.fileno()],
                                        env=forkserver_env(), stdin=subprocess.DEVNULL, start_new_session=True, cwd="/")
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

    def status(self):
        """The fork server's own state: {"torch": loaded, "cuda_initialized": bool}."""
        with self.lock:
            self.sock.sendall(json.dumps({"kind": "status"}).encode())
            reply = self.sock.recv(4096)
        if not reply:
            raise WorkerFailure("forkserver", "the engine's fork server is not running")
        return json.loads(reply)


_servers = {}   # preloaded modules -> this process's ForkServer for them
_server_lock = threading.Lock()


def forkserver(preload=PRELOAD):
    """This process's fork server for `preload`, started on first use (about 1.5 s once with torch)."""
    key = tuple(preload)
    with _server_lock:
        server = _servers.get(key)
        if server is None or server.owner != os.getpid() or server.process.poll() is not None:
            server = _servers[key] = ForkServer(key)
        return server


def shutdown_forkserver():
    """Kill this process's fork servers and every zygote and worker they started (they die with them)."""
    with _server_lock:
        for server in _servers.values():
            if server.owner == os.getpid():
                try:
                    os.killpg(server.process.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
                server.process.wait()
        _servers.clear()


class WorkerFailure(Exception):
    """The worker did not answer: it timed out, crashed, ran out of memory or sent garbage."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


@dataclass
class WorkerSpec:
    """Everything a submission's sandbox and its workers need to know: the assignment's `Limits` and where
    things are. `to_wire()` is what crosses to the zygote and each worker."""

    submission_dir: Path | None
    probes_file: Path | None = None
    probes_module: str | None = None
    aliases: dict = field(default_factory=dict)
    masks: list = field(default_factory=list)      # folders inside the view shown empty (held-out data)
    device: str = "cpu"
    limits: Limits = field(default_factory=Limits)
    open_files: int = 256
    sandbox: bool = True
    broken_modules: dict = field(default_factory=dict)   # module -> why importing it is refused at once
    preload: tuple = PRELOAD   # the fork server this submission's zygote comes from
    assets: dict = field(default_factory=dict)   # name -> course file a probe may read (assignment.toml `assets`)
    deterministic: bool = False   # a CUDA grade: deterministic algorithms, no TF32 (autograder.worker.cuda)

    def to_wire(self):
        """The spec as plain data for the zygote and the worker (paths inside the sandbox are added there)."""
        lim = self.limits
        return {"sandbox": self.sandbox, "device": self.device, "threads": lim.threads, "memory_mb": lim.memory_mb,
                "file_mb": lim.file_mb, "scratch_mb": lim.scratch_mb, "open_files": self.open_files,
                "gpu_memory_fraction": lim.gpu_memory_fraction,
                "aliases": dict(self.aliases), "masks": [str(m) for m in self.masks], "assets": sorted(self.assets),
                "probes_module": self.probes_module, "broken_modules": dict(self.broken_modules),
                "deterministic": self.deterministic}


class Sandbox:
    """The judge's handle on one submission's sandbox: its zygote process (autograder.worker.zygote), made once,
    forks a worker per test."""

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
        if spec.submission_dir is not None:  # the grade's one copy, mounted read-only for the workers
            os.symlink(os.path.realpath(spec.submission_dir), self.folder / "submission")
        else:
            (self.folder / "submission").mkdir()
        compileall.compile_dir(self.folder / "submission", quiet=2)  # by the judge: workers only read the bytecode
        (self.folder / "inputs").mkdir()   # what share() writes; workers read it, read-only
        for name, path in spec.assets.items():
            (self.folder / "assets" / name).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(os.path.realpath(path), self.folder / "assets" / name)
        wire = {**spec.to_wire(), "isolation": os.environ.get(env.ISOLATION, "auto"), "dir": str(self.folder)}
        if spec.probes_file is not None:
            shutil.copyfile(spec.probes_file, self.folder / "probes.py")
            wire["probes_file"] = str(self.folder / "probes.py")
        if spec.sandbox:
            self.cgroup = WorkerCgroup.create(spec.limits.pids_max + 2, spec.limits.memory_mb)  # + the zygote and its parent
            if self.cgroup:
                wire["cgroup_dirs"] = [str(d) for d in self.cgroup.dirs]
        self.control, self.pid = forkserver(spec.preload).spawn(wire)
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

    def share(self, name, arrays):
        """Write `arrays` ({key: array}) as `.npy` files that this sandbox's workers read (`probe.shared(name)`);
        the first share of a name wins, later ones are no-ops."""
        import numpy as np
        if not name.isidentifier():
            raise ValueError(f"a shared input's name must be an identifier, not {name!r}")
        folder = self.folder / "inputs" / name
        if folder.exists():
            return
        partial = self.folder / "inputs" / f".{name}.partial"
        partial.mkdir()
        for key, value in arrays.items():
            np.save(partial / f"{key}.npy", np.asarray(value), allow_pickle=False)
        partial.rename(folder)   # a worker never sees half of it

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
