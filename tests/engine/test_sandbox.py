"""The worker's confinement and how the judge survives hostile workers."""

import os
import time

import pytest

from autograder.assignments import Limits
from autograder.sandbox.client import Worker
from autograder.sandbox.launch import WorkerFailure, WorkerSpec

PROBES = '''
import ctypes, os, socket, sys, time

def listing(paths):
    out = {}
    for p in paths:
        try:
            out[p] = sorted(os.listdir(p))
        except OSError as e:
            out[p] = "error: " + e.strerror
    return out

def write(path):
    try:
        with open(path, "w") as f:
            f.write("x")
        return {"ok": True}
    except OSError as e:
        return {"ok": False, "error": e.strerror}

def processes():
    return {"pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()), "me": os.getpid()}

def network():
    try:
        socket.create_connection(("1.1.1.1", 53), timeout=2)
        return {"reachable": True}
    except OSError:
        return {"reachable": False}

def capabilities():
    line = [l for l in open("/proc/self/status") if l.startswith("CapEff")][0]
    return {"effective": int(line.split()[1], 16)}

def environment():
    return {"keys": sorted(os.environ)}

def fork_bomb():
    children = 0
    try:
        for _ in range(500):
            if os.fork() == 0:
                time.sleep(60)
                os._exit(0)
            children += 1
    except OSError:
        pass
    return {"children": children}

def escape_and_linger(marker):
    if os.fork() == 0:
        os.setsid()
        time.sleep(3)
        open(marker, "w").write("still alive")
        os._exit(0)
    return {}

def memory_bomb():
    blocks = []
    while True:
        blocks.append(bytearray(256 * 2**20))

def segfault():
    ctypes.string_at(0)

def hard_exit():
    os._exit(0)

def soft_exit():
    sys.exit(0)

def spin():
    while True:
        pass

def flood():
    for _ in range(200000):
        print("spam " * 20)
    return {"done": True}

def big_file(size_mb):
    with open("big.bin", "wb") as f:
        for _ in range(size_mb):
            f.write(bytes(2**20))
    return {}

def pickle_payload():
    import pickle
    return {"payload": pickle.dumps(object)}

def opaque():
    return {"value": object()}
'''


@pytest.fixture
def spec(tmp_path):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "answers.txt").write_text("42")
    probes = tmp_path / "probes.py"
    probes.write_text(PROBES)
    return WorkerSpec(submission_dir=None, probes_file=probes, limits=Limits(memory_mb=1024, pids_max=32))


def call(spec, probe, timeout=10, **kwargs):
    with Worker(spec) as worker:
        return worker.call(probe, kwargs, timeout)


def confined(spec):
    with Worker(spec) as worker:
        return worker.protections.get("namespaces") is not None


@pytest.mark.parametrize("mode", ["auto", "userns"])
def test_planted_files_are_absent_and_everything_but_scratch_is_read_only(spec, tmp_path, monkeypatch, mode):
    """'userns' is the path a TA's laptop without root takes; here it is forced while running as root."""
    monkeypatch.setenv("AUTOGRADER_ISOLATION", mode)
    if not confined(spec):
        pytest.skip("no namespaces on this OS: the results say so (see the test below)")
    with Worker(spec) as worker:
        assert worker.protections["namespaces"] == ("user-namespace" if mode == "userns" else "root")
        seen = worker.call("listing", {"paths": [str(tmp_path / "secret")]}, 10)["value"]
        assert seen[str(tmp_path / "secret")] == "error: No such file or directory"
        assert worker.call("write", {"path": str(tmp_path / "x")}, 10)["value"]["ok"] is False
        assert worker.call("write", {"path": "written-in-scratch"}, 10)["value"]["ok"] is True
        assert worker.protections["capabilities"] == "none"


def test_without_namespaces_the_protections_say_so(spec, tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_ISOLATION", "none")
    with Worker(spec) as worker:
        assert worker.protections["namespaces"] is None
        assert worker.protections["filesystem"] == "host (not isolated)" and "read_only" not in worker.protections
        assert worker.protections["rlimits"]["RLIMIT_DATA"] == spec.limits.memory_mb * 2**20
        assert worker.call("listing", {"paths": []}, 10)["ok"]


def test_file_size_is_limited(spec):
    answer = call(spec, "big_file", size_mb=spec.limits.file_mb + 1)
    assert answer["ok"] is False and answer["error"]["type"] == "OSError"
    assert "File too large" in answer["error"]["message"]


def test_no_network_no_capabilities_no_view_of_other_processes(spec):
    if not confined(spec):
        pytest.skip("no namespaces on this OS")
    with Worker(spec) as worker:
        assert worker.call("network", {}, 10)["value"] == {"reachable": False}
        assert worker.call("capabilities", {}, 10)["value"] == {"effective": 0}
        seen = worker.call("processes", {}, 10)["value"]
        assert seen["pids"] == sorted({1, seen["me"]})  # the zygote (PID 1, never runs submission code) and itself


def test_environment_is_scrubbed(spec, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "do-not-leak")
    from autograder.sandbox import launch
    monkeypatch.setattr(launch, "_servers", {})  # a fresh fork server inherits the variable
    keys = call(spec, "environment")["value"]["keys"]
    assert "GITHUB_TOKEN" not in keys and "HOME" in keys


def test_fork_bomb_is_bounded(spec):
    with Worker(spec) as worker:
        if not worker.protections.get("cgroup"):
            pytest.skip("no writable cgroups here: RLIMIT_NPROC does not bind root")
        assert worker.call("fork_bomb", {}, 30)["value"]["children"] < spec.limits.pids_max


def test_stop_kills_a_grandchild_that_escaped_with_setsid(spec, tmp_path):
    marker = tmp_path / "marker"
    worker = Worker(spec).start()
    worker.call("escape_and_linger", {"marker": str(marker)}, 10)
    worker.stop()
    time.sleep(4)
    assert not marker.exists()


@pytest.mark.parametrize("probe, kind, words", [
    ("segfault", "crash", "segmentation fault"),
    ("hard_exit", "exit", "exited with status 0"),
])
def test_worker_death_is_named(spec, probe, kind, words):
    with pytest.raises(WorkerFailure) as failure:
        call(spec, probe)
    assert failure.value.kind == kind and words in str(failure.value)


def test_sys_exit_is_an_error_not_a_death(spec):
    answer = call(spec, "soft_exit")
    assert answer["ok"] is False and "sys.exit(0)" in answer["error"]["message"]


def test_memory_bomb_hits_the_limit(spec):
    try:
        answer = call(spec, "memory_bomb", timeout=30)
    except WorkerFailure as failure:
        assert failure.kind in ("memory", "crash")
    else:
        assert answer["error"]["type"] == "MemoryError"


def test_timeout_kills_a_spinning_worker_promptly(spec):
    started = time.monotonic()
    with pytest.raises(WorkerFailure, match="time limit of 1.0 s exceeded"):
        call(spec, "spin", timeout=1.0)
    assert time.monotonic() - started < 5


def test_stdout_flood_is_capped(spec):
    answer = call(spec, "flood", timeout=30)
    assert answer["value"] == {"done": True}
    assert len(answer["output"]) < 20_000 and "characters of output dropped" in answer["output"]


def test_only_plain_data_comes_back(spec):
    for probe in ("pickle_payload", "opaque"):
        answer = call(spec, probe)
        assert answer["ok"] is False and "only numbers, strings" in answer["error"]["message"]


def test_judge_outlives_many_hostile_workers(spec):
    for probe in ("segfault", "hard_exit", "spin"):
        with pytest.raises(WorkerFailure):
            call(spec, probe, timeout=1)
    assert call(spec, "listing", paths=[])["ok"]
    assert os.getpid()  # still here


def test_a_killed_judge_takes_its_workers_along(spec, tmp_path):
    """kill -9 of the judge: the fork server, keeper and sleeping worker all die (parent-death signals)."""
    import signal
    import subprocess
    import sys
    code = (f"from autograder.sandbox.client import Worker\nfrom autograder.sandbox.launch import WorkerSpec\n"
            f"w = Worker(WorkerSpec(submission_dir=None, probes_file={str(spec.probes_file)!r})).start()\n"
            f"print(w.pid, flush=True)\n"
            f"w.call('escape_and_linger', {{'marker': {str(tmp_path / 'm')!r}}}, 10)\n"
            f"import time; time.sleep(1000)\n")
    judge = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    worker_pid = int(judge.stdout.readline())
    os.kill(judge.pid, signal.SIGKILL)
    judge.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(worker_pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"worker {worker_pid} outlived its judge")
    time.sleep(3.5)
    assert not (tmp_path / "m").exists()
