"""A fork server with the assignment's libraries preloaded: forks a zygote (autograder.worker.zygote) per
submission.

Run as `python -m autograder.worker.forkserver FD MODULES` with an allowlisted environment; FD is its end
of a unix socket pair, MODULES the comma-separated modules to import once (numpy,torch,matplotlib.pyplot).
A fork copies the page tables of what is loaded (a fork and exit take about 15 ms with torch loaded, 1 ms
with numpy alone), so an assignment that never uses torch does not preload it. Each request is the zygote's
spec as JSON carrying one file descriptor, the zygote's control socket. The answer is the child's pid.
A request {"kind": "status"} (no descriptor) is answered with `status()`.
Children are reaped automatically (SIGCHLD ignored).
"""

import importlib
import json
import os
import signal
import socket
import sys

# What every probes file imports (the declared API and its probe helpers): loaded once, not per worker.
from autograder import authoring  # noqa: F401
from autograder.worker import probe  # noqa: F401
from autograder.worker import isolation, zygote

MAX_REQUEST = 1 << 20


def preload(modules):
    """Import `modules` once, for every zygote and worker forked from here; runs no torch op (a fork after an
    OpenMP parallel region hangs the child). pyplot loaded here spares each fresh worker a font-cache build."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    for name in filter(None, modules.split(",")):
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def status():
    """What the judge may check: whether CUDA was started here (it must not be: a CUDA context does not survive
    the fork, so every zygote and worker would inherit a broken one)."""
    torch = sys.modules.get("torch")
    return {"torch": torch is not None, "cuda_initialized": bool(torch is not None and torch.cuda.is_initialized())}


def serve(sock):
    isolation.prctl(isolation.PR_SET_PDEATHSIG, signal.SIGKILL)  # a judge killed with -9 takes us along
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(sock, MAX_REQUEST, 1)
        except (ConnectionError, OSError):
            return
        if not data:
            return
        spec = json.loads(data)
        if spec.get("kind") == "status":
            sock.sendall(json.dumps(status()).encode())
            continue
        pid = os.fork()
        if pid == 0:
            sock.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            try:
                zygote.main(socket.socket(fileno=fds[0]), spec)
            finally:
                os._exit(70)
        for fd in fds:
            os.close(fd)
        sock.sendall(json.dumps({"pid": pid}).encode())


if __name__ == "__main__":
    preload(sys.argv[2] if len(sys.argv) > 2 else "")
    serve(socket.socket(fileno=int(sys.argv[1])))
