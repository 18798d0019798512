"""Connect a batch to a Ray cluster as Ray starts one today, and say in one sentence why when it cannot.

Since Ray 2.59, `ray start --head` turns on token authentication whenever a token exists (~/.ray/auth_token,
written by any earlier local `ray.init()`), but `ray.init(address=...)` sends that token only when
RAY_AUTH_MODE=token is set: a TA's `ray start --head` then `autograder batch ... --ray HOST:PORT` failed after
twenty seconds of retries. The batch does for an explicit address what Ray does for its own local clusters: it
turns token authentication on when RAY_AUTH_MODE is unset and a token is found where Ray looks for one
(RAY_AUTH_TOKEN, the file RAY_AUTH_TOKEN_PATH names, ~/.ray/auth_token). A cluster without authentication
accepts a client that sends a token, so this never locks one out.
"""

import logging
import os
import socket
from contextlib import contextmanager
from pathlib import Path

from autograder import env
from autograder.batch.entries import BatchError

TOKEN_PLACES = f"${env.RAY_AUTH_TOKEN}, the file ${env.RAY_AUTH_TOKEN_PATH} names, or ~/.ray/auth_token"
REACH_TIMEOUT_S = 5.0   # Ray itself retries a silent address for minutes


def host_port(address):
    """(host, port) of 'HOST:PORT' or 'ray://HOST:PORT'; None for anything else ('auto', a malformed address)."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    host = host.strip("[]")   # [::1]:6379
    return (host, int(port)) if host and port.isdigit() else None


def check_reachable(address):
    """Refuse at once an address where nothing listens (Ray would retry it for minutes)."""
    where = host_port(address)
    if where is None:
        return
    try:
        socket.create_connection(where, timeout=REACH_TIMEOUT_S).close()
    except OSError as exc:
        raise BatchError(f"nothing answers at {address} ({exc.strerror or exc}): check the address and that the "
                         f"cluster is up (`ray status` on its head node shows both)") from None


def check_token_file():
    """Refuse a RAY_AUTH_TOKEN_PATH that names no readable token (Ray aborts the whole process on it)."""
    path = os.environ.get(env.RAY_AUTH_TOKEN_PATH)
    if not path or os.environ.get(env.RAY_AUTH_TOKEN):   # RAY_AUTH_TOKEN comes first
        return
    try:
        token = Path(path).expanduser().read_text().strip()
    except OSError:
        token = ""
    if not token:
        raise BatchError(f"{env.RAY_AUTH_TOKEN_PATH} names {path}, which is missing, unreadable or empty: point it "
                         f"at the file holding the cluster's token (`ray get-auth-token` on the head node prints it)")


def send_token_if_found():
    """Turn on token authentication in this process when RAY_AUTH_MODE is unset and Ray finds a token (Ray's own
    rule for a cluster it finds by itself); an explicit RAY_AUTH_MODE is left as it is."""
    if env.RAY_AUTH_MODE in os.environ:
        return
    try:
        from ray._private.authentication import authentication_token_setup as auth
    except ImportError:   # a Ray from before token authentication
        return
    logger = logging.getLogger(auth.__name__)
    level = logger.level
    logger.setLevel(logging.ERROR)   # its warning speaks of starting a cluster, not of joining one
    try:
        auth.maybe_enable_token_auth_if_token_available(warn_if_disabled=False)
    finally:
        logger.setLevel(level)


def cannot_connect(address, exc):
    """The sentence for a failed ray.init: Ray's first sentence, then where to look."""
    detail = (str(exc).strip().splitlines() or [""])[0].split(". ")[0].rstrip(".") or "no detail"
    return BatchError(f"Ray could not connect to the cluster at {address} ({type(exc).__name__}: {detail}): check "
                      f"the address (`ray status` on the head node shows it) and that this machine has the "
                      f"cluster's token, which Ray looks for in {TOKEN_PLACES} (`ray get-auth-token` on the head "
                      f"node prints it)")


@contextmanager
def connected(address):
    """Ray ready for the block: joined to `address`, or a local instance for "" (shut down after), or the one this
    process already runs."""
    import ray
    if ray.is_initialized():
        yield
        return
    if address:
        check_token_file()
        check_reachable(address)
        send_token_if_found()
    try:
        ray.init(address=address or None, include_dashboard=False, log_to_driver=False, configure_logging=False)
    except (ConnectionError, RuntimeError, ValueError, ray.exceptions.RayError) as exc:
        if not address:
            raise
        raise cannot_connect(address, exc) from None
    try:
        yield
    finally:
        ray.shutdown()
