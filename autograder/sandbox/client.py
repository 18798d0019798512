"""The judge's handle on one test's worker: fork it from the submission's zygote, call probes with a deadline, kill it."""

import os
import signal
import socket
import time
from pathlib import Path

from autograder.worker import channel
from autograder.sandbox.launch import START_TIMEOUT, WorkerFailure, WorkerSpec, Sandbox

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
    """One test's worker process, forked by the submission's zygote (its own sandbox when none is given).

    Start it, call probes, stop it; a dead worker is not reused.
    """

    def __init__(self, spec: WorkerSpec, cpu_seconds=3600, sandbox=None):
        self.spec = spec
        self.cpu_seconds = cpu_seconds
        self.sandbox, self.own_sandbox = sandbox, sandbox is None
        self.sock = self.status_sock = self.pidfd = self.pid = None
        self.exit_status = None
        self.protections = {}
        self.dead = False
        self.calls = 0
        self.oom_before = 0

    def start(self):
        spec = self.spec
        if self.sandbox is None:
            self.sandbox = Sandbox(spec).start()
        wire = {**spec.to_wire(), "kind": "spawn", "cpu_seconds": self.cpu_seconds}
        self.oom_before = self.sandbox.oom_kills()
        if self.sandbox.cgroup:
            self.sandbox.cgroup.reset_peak()
        worker_ours, worker_theirs = socket.socketpair()
        status_ours, status_theirs = socket.socketpair()
        try:
            self.sandbox.request(wire, [worker_theirs.fileno(), status_theirs.fileno()])
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
        ready = self._receive(deadline, "while starting", "no answer while starting")
        self.protections = {**self.sandbox.protections, **ready.get("protections", {})}
        if "error" in ready:
            self.stop()
            raise WorkerFailure("probes", f"the probe file failed to load: {ready['error']['type']}: "
                                          f"{ready['error']['message']}")
        return self

    def _receive(self, deadline, during, timed_out):
        try:
            return channel.recv(self.sock, deadline)
        except channel.ChannelTimeout:
            self.stop()
            raise WorkerFailure("timeout", timed_out) from None
        except channel.ChannelClosed:
            raise self._death(during) from None
        except channel.ChannelError as exc:  # the engine's own frames are always well formed
            self.stop()
            raise WorkerFailure("channel", f"the grader's channel carried bytes the engine did not write {during}: "
                                           f"code of the submission wrote to it ({exc})") from None

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
        oom = self.sandbox.oom_kills() > self.oom_before
        self.stop()
        if oom:
            return WorkerFailure("memory", f"the worker was killed {during}: memory limit of "
                                           f"{self.spec.limits.memory_mb} MiB exceeded")
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
        return self._request({"kind": "import", "modules": modules}, "while importing the submission's modules", timeout)

    def _request(self, message, during, timeout):
        if self.dead:
            raise WorkerFailure("dead", "the worker is no longer running")
        self.calls += 1
        try:
            channel.send(self.sock, {**message, "seq": self.calls})
        except OSError:
            raise self._death(during) from None
        answer = self._receive(time.monotonic() + timeout, during, f"time limit of {timeout:.1f} s exceeded")
        if not _well_formed(answer, self.calls) or channel.pending(self.sock):
            self.stop()
            raise WorkerFailure("channel", f"the grader's channel carried a message the engine did not write "
                                           f"{during}: code of the submission wrote to it")
        answer.pop("memory_peak_bytes", None)  # only the judge's own reading counts
        if self.sandbox.cgroup:
            answer["memory_peak_bytes"] = self.sandbox.cgroup.peak_bytes()
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
        if self.own_sandbox:
            self.sandbox.stop()
        else:
            try:
                self.sandbox.request({"kind": "sweep"})  # what the worker left running dies now
            except WorkerFailure:
                pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
