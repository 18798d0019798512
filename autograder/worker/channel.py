"""Plain-data messages between judge and worker: JSON for structure, .npy bytes for arrays, never pickle.

Frame: 8-byte big-endian length, then a 4-byte header length, the JSON header
and the array blobs back to back. Reads take a deadline, so a worker that sends
half a message or nothing at all cannot hang the judge.
"""

import io
import json
import math
import select
import struct
import time

import numpy as np

MAX_MESSAGE_BYTES = 1 << 30
_ARRAY_KEY = "__ndarray__"


class ChannelError(Exception):
    """A message could not be encoded, or what came back is not a well-formed message."""


class ChannelTimeout(ChannelError):
    """No complete message arrived before the deadline."""


class ChannelClosed(ChannelError):
    """The other side closed the connection (for the judge: the worker died)."""


def _to_plain(obj, blobs, path="result"):
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else {"__float__": repr(obj)}
    if isinstance(obj, np.generic):
        return _to_plain(obj.item(), blobs, path)
    if hasattr(obj, "detach") and type(obj).__module__.startswith("torch"):
        obj = obj.detach().cpu().numpy()
    if isinstance(obj, np.ndarray):
        if obj.dtype.hasobject or obj.dtype.kind not in "biufc":
            raise ChannelError(f"{path} is an array of dtype {obj.dtype}; only numeric and bool arrays can be sent")
        buf = io.BytesIO()
        np.save(buf, np.ascontiguousarray(obj), allow_pickle=False)
        blobs.append(buf.getvalue())
        return {_ARRAY_KEY: len(blobs) - 1}
    if isinstance(obj, (list, tuple)):
        return [_to_plain(v, blobs, f"{path}[{i}]") for i, v in enumerate(obj)]
    if isinstance(obj, dict):
        if any(not isinstance(k, str) for k in obj):
            raise ChannelError(f"{path} is a dict with non-string keys; only string keys can be sent")
        if _ARRAY_KEY in obj or "__float__" in obj:
            raise ChannelError(f"{path} uses a reserved key")
        return {k: _to_plain(v, blobs, f"{path}[{k!r}]") for k, v in obj.items()}
    raise ChannelError(f"{path} is a {type(obj).__name__}; only numbers, strings, lists, dicts and arrays can be sent")


def _from_plain(obj, blobs):
    if isinstance(obj, list):
        return [_from_plain(v, blobs) for v in obj]
    if isinstance(obj, dict):
        if set(obj) == {_ARRAY_KEY}:
            index = obj[_ARRAY_KEY]
            if not isinstance(index, int) or not 0 <= index < len(blobs):
                raise ChannelError("malformed message: bad array reference")
            try:
                return np.load(io.BytesIO(blobs[index]), allow_pickle=False)
            except Exception as exc:  # np.load raises many kinds on garbage
                raise ChannelError(f"malformed message: unreadable array ({exc})") from None
        if set(obj) == {"__float__"}:
            return float(obj["__float__"])
        return {k: _from_plain(v, blobs) for k, v in obj.items()}
    return obj


def encode(message):
    """Serialise a dict of plain data to bytes."""
    blobs = []
    header = json.dumps({"body": _to_plain(message, blobs), "blobs": [len(b) for b in blobs]}).encode()
    return b"".join([struct.pack(">I", len(header)), header, *blobs])


def decode(data):
    """Parse bytes produced by `encode`, trusting nothing about them."""
    try:
        (hlen,) = struct.unpack(">I", data[:4])
        header = json.loads(data[4:4 + hlen])
        sizes = header["blobs"]
        if not isinstance(sizes, list) or not all(isinstance(s, int) and s >= 0 for s in sizes):
            raise ValueError("bad blob sizes")
        blobs, offset = [], 4 + hlen
        for size in sizes:
            blobs.append(data[offset:offset + size])
            offset += size
        if offset != len(data):
            raise ValueError("length mismatch")
        return _from_plain(header["body"], blobs)
    except ChannelError:
        raise
    except Exception as exc:
        raise ChannelError(f"malformed message ({type(exc).__name__})") from None


def send(sock, message):
    data = encode(message)
    sock.sendall(struct.pack(">Q", len(data)) + data)


def _recv_exact(sock, n, deadline):
    chunks, got = [], 0
    while got < n:
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            raise ChannelTimeout("deadline passed")
        ready, _, _ = select.select([sock], [], [], remaining)
        if not ready:
            raise ChannelTimeout("deadline passed")
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            raise ChannelClosed("connection closed")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def pending(sock):
    """Whether more bytes are waiting on `sock` right now (a reply is one frame: more means a forged one)."""
    ready, _, _ = select.select([sock], [], [], 0)
    return bool(ready)


def recv(sock, deadline=None, max_bytes=MAX_MESSAGE_BYTES):
    """Receive one message; `deadline` is a time.monotonic() value or None to wait forever."""
    (length,) = struct.unpack(">Q", _recv_exact(sock, 8, deadline))
    if length > max_bytes:
        raise ChannelError(f"message of {length} bytes is over the {max_bytes}-byte limit")
    return decode(_recv_exact(sock, length, deadline))
