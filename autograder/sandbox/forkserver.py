"""A fork server with torch preloaded: forks a keeper process per worker request.

Run as `python -m autograder.sandbox.forkserver FD`; FD is its end of a unix
socket pair. Each request is a channel message (the worker spec) carrying two
file descriptors: the worker's socket and the keeper's status socket. The
answer is the keeper's pid. Children are reaped automatically (SIGCHLD ignored).
"""

import json
import os
import signal
import socket
import sys

from autograder.sandbox import isolation, worker  # preloads torch and numpy; runs no torch op

try:  # classic assignment code imports pyplot; a fresh worker would rebuild its font cache each time
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib.pyplot  # noqa: F401
except ImportError:
    pass

MAX_REQUEST = 1 << 20


def serve(sock):
    isolation.prctl(isolation.PR_SET_PDEATHSIG, signal.SIGKILL)  # a judge killed with -9 takes us along
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(sock, MAX_REQUEST, 2)
        except (ConnectionError, OSError):
            return
        if not data:
            return
        spec = json.loads(data)
        pid = os.fork()
        if pid == 0:
            sock.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            worker_sock, status_sock = (socket.socket(fileno=fd) for fd in fds)
            try:
                worker.keeper_main(worker_sock, status_sock, spec)
            finally:
                os._exit(70)
        for fd in fds:
            os.close(fd)
        sock.sendall(json.dumps({"pid": pid}).encode())


if __name__ == "__main__":
    serve(socket.socket(fileno=int(sys.argv[1])))
