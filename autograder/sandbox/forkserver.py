"""A fork server with torch preloaded: forks a zygote (autograder.sandbox.zygote) per submission.

Run as `python -m autograder.sandbox.forkserver FD` with an allowlisted environment; FD is its end
of a unix socket pair. Each request is the zygote's spec as JSON carrying one file descriptor, the
zygote's control socket. The answer is the child's pid. Children are reaped automatically (SIGCHLD ignored).
"""

import json
import os
import signal
import socket
import sys

from autograder.sandbox import isolation, zygote  # preloads torch and numpy; runs no torch op

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
            data, fds, _, _ = socket.recv_fds(sock, MAX_REQUEST, 1)
        except (ConnectionError, OSError):
            return
        if not data:
            return
        spec = json.loads(data)
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
    serve(socket.socket(fileno=int(sys.argv[1])))
