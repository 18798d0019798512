"""The plain-data channel: round trips, refusals, and reads that cannot hang."""

import pickle
import socket
import struct
import threading
import time

import numpy as np
import pytest

from autograder.worker import channel


def test_round_trip_of_nested_plain_data():
    message = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": [1, 2.5, "x", None, True],
               "c": {"d": np.array([True, False]), "e": float("nan"), "f": float("-inf")}, "g": np.int64(7)}
    back = channel.decode(channel.encode(message))
    assert back["a"].dtype == np.float32 and np.array_equal(back["a"], message["a"])
    assert back["b"] == [1, 2.5, "x", None, True] and back["g"] == 7
    assert np.isnan(back["c"]["e"]) and back["c"]["f"] == float("-inf")


@pytest.mark.parametrize("value", [np.array([object()]), b"bytes", {1: 2}, {"__ndarray__": 0}, object()])
def test_refuses_what_is_not_plain_data(value):
    with pytest.raises(channel.ChannelError):
        channel.encode({"v": value})


def test_a_pickle_is_never_unpickled(tmp_path):
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    with pytest.raises(channel.ChannelError):
        channel.decode(pickle.dumps(Evil()))
    array_pickle = pickle.dumps(np.array([Evil()], dtype=object))
    forged = channel.encode({"x": np.zeros(1)})
    with pytest.raises(channel.ChannelError):
        channel.decode(forged[:-len(array_pickle)] + array_pickle if len(forged) > len(array_pickle) else array_pickle)
    assert not marker.exists()


def test_half_a_message_times_out_instead_of_hanging():
    ours, theirs = socket.socketpair()
    theirs.sendall(struct.pack(">Q", 1000) + b"only a few bytes")
    started = time.monotonic()
    with pytest.raises(channel.ChannelTimeout):
        channel.recv(ours, time.monotonic() + 0.3)
    assert time.monotonic() - started < 2


def test_closed_and_oversized():
    ours, theirs = socket.socketpair()
    theirs.close()
    with pytest.raises(channel.ChannelClosed):
        channel.recv(ours, time.monotonic() + 1)
    ours, theirs = socket.socketpair()
    theirs.sendall(struct.pack(">Q", 1 << 40))
    with pytest.raises(channel.ChannelError, match="over the"):
        channel.recv(ours, time.monotonic() + 1)


def test_send_and_recv_over_a_socket():
    ours, theirs = socket.socketpair()
    big = np.random.default_rng(0).normal(size=(512, 512))
    sender = threading.Thread(target=channel.send, args=(theirs, {"big": big}))
    sender.start()
    got = channel.recv(ours, time.monotonic() + 10)
    sender.join()
    assert np.array_equal(got["big"], big)
