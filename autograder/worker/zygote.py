"""The zygote: one sandboxed process per submission that forks a fresh worker for each test.

It is made once per submission (namespaces, the allowlist view, the cgroup, the private copy of the
submission) and never runs submission code itself, so each test's worker starts clean at the cost of
one fork. It is PID 1 of its PID namespace: it reaps every worker, reports how each ended on that
worker's status socket, and kills whatever a finished worker left behind before the next one starts.

Requests arrive on the control socket as JSON with descriptors: {"kind": "spawn", ...worker spec}
carrying the worker's socket and its status socket, or {"kind": "sweep"}. Each gets a one-line reply.
"""

import json
import os
import select
import shutil
import signal
import socket

from autograder.worker import channel, isolation, loop, view

SUBMISSION = "/submission"     # inside the view, read-only
PROBES = "/grader/probes.py"
INPUTS = "/grader/inputs"     # what the judge shared (Zygote.share), read-only
ASSETS = "/grader/assets"     # assignment.toml `assets`, read-only
PR_SET_CHILD_SUBREAPER = 36


def main(control, spec):
    """Runs in a child of the fork server: enter the namespaces, then serve as the zygote (their PID 1)."""
    isolation.prctl(isolation.PR_SET_PDEATHSIG, signal.SIGKILL)
    namespaces = isolation.unshare_namespaces(spec["isolation"]) if spec["sandbox"] else None
    for d in spec.get("cgroup_dirs", []):
        with open(os.path.join(d, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))
    pid = os.fork()
    if pid == 0:
        try:
            Zygote(control, spec, namespaces).serve()
        finally:
            os._exit(0)
    control.close()
    os.waitpid(pid, 0)


class Zygote:
    def __init__(self, control, spec, namespaces):
        self.control, self.spec, self.namespaces = control, spec, namespaces
        self.running = {}          # worker pid -> (status socket, its scratch folder outside a namespace)
        self.spawned = 0
        self.probes_code = None

    def _enter_view(self):
        """Build the allowlist root and pivot into it; returns (protections, paths) or raises OSError."""
        spec = self.spec
        host = {"submission": os.path.join(spec["dir"], "submission"), "probes": spec.get("probes_file"),
                "inputs": os.path.join(spec["dir"], "inputs"), "assets": os.path.join(spec["dir"], "assets")}
        if not self.namespaces:
            os.setsid()  # no PID namespace: the judge's stop kills the process group
            isolation.prctl(PR_SET_CHILD_SUBREAPER, 1)
            return {"filesystem": "host (not isolated)"}, {**host, "scratch_root": spec["dir"]}
        seen = view.allowlist(spec["device"], spec.get("masks", []), never=[os.path.dirname(spec["dir"])])
        placed = {SUBMISSION: host["submission"], INPUTS: host["inputs"]}
        placed.update({f"{ASSETS}/{name}": os.path.realpath(os.path.join(host["assets"], name))
                       for name in spec.get("assets", [])})
        if host["probes"]:
            placed[PROBES] = host["probes"]
        isolation.enter_view(os.path.join(spec["dir"], "root"), seen, placed)
        protections = {"filesystem": "allowlist", "roots": seen.roots(), "masked": seen.masks,
                       "network": "none", "read_only": True, "assets": spec.get("assets", [])}
        return protections, {"submission": SUBMISSION, "probes": host["probes"] and PROBES, "inputs": INPUTS,
                             "assets": ASSETS, "scratch_root": None}

    def serve(self):
        isolation.prctl(isolation.PR_SET_PDEATHSIG, signal.SIGKILL)
        try:
            protections, self.paths = self._enter_view()
        except OSError as exc:
            channel.send(self.control, {"kind": "ready", "error": f"the sandbox's file system could not be built "
                                                                  f"({exc})"})
            return
        isolation.prctl(isolation.PR_SET_DUMPABLE, 0)  # no worker may read this process's memory or descriptors
        loop.set_threads(self.spec["threads"])  # once, inherited by every fork (no torch op runs here)
        if self.paths["probes"]:  # compiled once; each worker runs it afresh, in its own process
            with open(self.paths["probes"]) as f:
                self.probes_code = compile(f.read(), self.paths["probes"], "exec")
        protections.update(namespaces=self.namespaces, cgroup=bool(self.spec.get("cgroup_dirs")))
        channel.send(self.control, {"kind": "ready", "protections": protections})
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        self.wake_r, wake_w = os.pipe()
        os.set_blocking(wake_w, False)
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        while True:
            ready, _, _ = select.select([self.control, self.wake_r], [], [])
            if self.wake_r in ready:
                os.read(self.wake_r, 4096)
                self._reap()
            if self.control in ready:
                try:
                    data, fds, _, _ = socket.recv_fds(self.control, 1 << 20, 2)
                except OSError:
                    return
                if not data:
                    return
                request = json.loads(data)
                self._sweep()
                if request["kind"] == "spawn" and len(fds) == 2:
                    self._spawn(request, *(socket.socket(fileno=fd) for fd in fds))
                else:
                    for fd in fds:
                        os.close(fd)
                self.control.sendall(b"ok\n")

    def _spawn(self, request, worker_sock, status_sock):
        self.spawned += 1
        scratch = None
        if self.paths["scratch_root"]:  # without namespaces a fresh folder stands in for the private tmpfs
            scratch = os.path.join(self.paths["scratch_root"], f"scratch-{self.spawned}")
            os.makedirs(scratch)
        spec = {**request, "threads": self.spec["threads"], "submission_dir": self.paths["submission"],
                "probes_file": self.paths["probes"], "inputs_dir": self.paths["inputs"],
                "assets_dir": self.paths["assets"], "scratch": scratch or isolation.SCRATCH}
        pid = os.fork()
        if pid == 0:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            for sock in [self.control, status_sock, *(s for s, _ in self.running.values())]:
                sock.close()
            os.close(self.wake_r)
            code = 70
            try:
                loop.worker_main(worker_sock, spec, self.namespaces, self.probes_code)
                code = 0
            finally:
                os._exit(code)
        worker_sock.close()
        pidfd = os.pidfd_open(pid)
        socket.send_fds(status_sock, [b"p"], [pidfd])  # the judge kills through it, across PID namespaces
        os.close(pidfd)
        self.running[pid] = (status_sock, scratch)

    def _reap(self):
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self._ended(pid, status)

    def _ended(self, pid, status):
        """Tell the judge how worker `pid` ended (a code or a signal) and drop its scratch folder."""
        if pid not in self.running:
            return
        status_sock, scratch = self.running.pop(pid)
        ended = {"kind": "exit", "signal": os.WTERMSIG(status)} if os.WIFSIGNALED(status) else \
            {"kind": "exit", "code": os.WEXITSTATUS(status)}
        try:
            channel.send(status_sock, ended)
        except OSError:
            pass
        status_sock.close()
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)

    def _sweep(self):
        """Kill everything a worker started, so no process of one test is alive when the next begins."""
        if self.namespaces:
            victims = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) != 1]
        else:  # orphans come to us (a subreaper); the workers' process groups hold the rest
            me = str(os.getpid())
            victims = list(self.running)
            for p in filter(str.isdigit, os.listdir("/proc")):
                try:
                    if open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()[1] == me:
                        victims.append(int(p))
                except (OSError, IndexError):
                    pass
        for pid in victims:  # reaped, and reported, when their SIGCHLD arrives
            for kill in (os.killpg, os.kill):
                try:
                    kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
