"""What a worker can reach: only the allowlist view, its own empty scratch, an allowlisted environment.

Each case is run on the root path and on the forced user-namespace path (a TA's laptop without root);
the cases that prove the tests can fail run with the sandbox off (AUTOGRADER_ISOLATION=none).
"""

import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

from autograder.worker import view
from autograder.assignments import Limits
from autograder.sandbox.client import Worker
from autograder.sandbox.launch import WorkerFailure, WorkerSpec, Sandbox

PROBES = '''
import os

def listing(path):
    try:
        return {"entries": sorted(os.listdir(path))}
    except OSError as e:
        return {"entries": None, "error": e.strerror}

def read(paths):
    found = {}
    for p in paths:
        try:
            found[p] = open(p).read()
        except OSError as e:
            found[p] = "error: " + e.strerror
    return found

def environment():
    return {"keys": sorted(os.environ), "proc": open("/proc/self/environ", "rb").read().decode(errors="replace")}

def leave_traces():
    import numpy, mod
    mod.COUNTER += 1
    numpy.allclose = lambda *args, **kwargs: True
    open(os.path.join(os.environ["TMPDIR"], "trace"), "w").write("left by an earlier test")
    open("trace-in-cwd", "w").write("left by an earlier test")
    return {}

def find_traces():
    import numpy, mod
    return {"counter": mod.COUNTER, "allclose_patched": numpy.allclose(0, 1),
            "tmp": sorted(os.listdir(os.environ["TMPDIR"])), "cwd": sorted(os.listdir("."))}

def read_shared(name):
    from autograder.worker.probe import shared
    arrays = shared(name)
    try:
        arrays["images"][0, 0] = 7
        written = "yes"
    except ValueError as e:
        written = str(e)
    try:
        open(os.path.join(os.environ["AUTOGRADER_INPUTS"], name, "new.txt"), "w")
        created = "yes"
    except OSError as e:
        created = e.strerror
    return {"keys": sorted(arrays), "sum": float(arrays["images"].sum()), "dtype": str(arrays["images"].dtype),
            "written": written, "created": created}

def read_asset(name):
    from autograder.worker.probe import asset
    return {"text": open(asset(name)).read(), "folder": sorted(os.listdir(os.path.dirname(asset(name))))}

def fill_scratch(chunk_mb):
    written = 0
    try:
        while True:
            with open(f"fill-{written}.bin", "wb") as f:
                f.write(bytes(chunk_mb * 2**20))
            written += 1
    except OSError as e:
        return {"written_mb": written * chunk_mb, "error": e.strerror}
'''

MODES = ["auto", "userns"]


@pytest.fixture
def spec(tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "mod.py").write_text("COUNTER = 0\n")
    probes = tmp_path / "probes.py"
    probes.write_text(PROBES)
    return WorkerSpec(submission_dir=submission, probes_file=probes, limits=Limits(memory_mb=1024, pids_max=32))


def call(worker, probe, **kwargs):
    answer = worker.call(probe, kwargs, 20)
    assert answer["ok"], answer
    return answer["value"]


def confined_or_skip(worker):
    if worker.protections.get("filesystem") != "allowlist":
        pytest.skip("no namespaces on this OS: the results say the file system is not isolated")


@pytest.mark.parametrize("mode", MODES)
def test_root_holds_only_the_allowlist(spec, monkeypatch, mode):
    monkeypatch.setenv("AUTOGRADER_ISOLATION", mode)
    with Worker(spec) as worker:
        confined_or_skip(worker)
        roots = worker.protections["roots"]
        allowed = {Path(r).parts[1] for r in roots} | {"dev", "etc", "proc", "scratch", "submission", "grader",
                                                      "tmp"} | {Path(p).name for p in view.SYSTEM_LIBRARIES}
        top = set(call(worker, "listing", path="/")["entries"])
        assert {"submission", "scratch", "proc"} <= top <= allowed
        assert "/" not in roots and "/home" not in roots and str(Path.home()) not in roots
        checkout = view.engine_folder().parent
        inside = call(worker, "listing", path=str(checkout))["entries"]
        assert "autograder" in inside and not {".git", "tests", "solutions", "out", "datasets"} & set(inside)
        assert set(call(worker, "listing", path="/etc")["entries"]) <= {Path(p).name for p in view.ETC_FILES} | {
            "passwd", "group"}


@pytest.mark.parametrize("mode", MODES + ["none"])
def test_files_planted_in_temp_and_home_are_unreadable(spec, monkeypatch, mode):
    """Stand-ins for another student's submission in the system temp folder and a TA's key in HOME."""
    monkeypatch.setenv("AUTOGRADER_ISOLATION", mode)
    tag = uuid.uuid4().hex[:8]
    other = Path(tempfile.gettempdir()) / f"other-student-{tag}"
    other.mkdir()
    (other / "answers.py").write_text(f"secret {tag}")
    key = Path.home() / f".autograder-test-key-{tag}"
    key.write_text(f"secret {tag}")
    try:
        with Worker(spec) as worker:
            seen = call(worker, "read", paths=[str(other / "answers.py"), str(key)])
            if mode == "none":  # the sandbox off: the same probe reads both, so the check below can fail
                assert all(text == f"secret {tag}" for text in seen.values())
            else:
                confined_or_skip(worker)
                assert all(text == "error: No such file or directory" for text in seen.values()), seen
                assert call(worker, "listing", path=str(Path.home()))["entries"] in (None, [".pyenv"], [])
    finally:
        shutil.rmtree(other)
        key.unlink()


@pytest.mark.parametrize("mode", MODES + ["none"])
def test_judge_secret_never_reaches_the_worker(spec, monkeypatch, mode):
    monkeypatch.setenv("AUTOGRADER_ISOLATION", mode)
    monkeypatch.setenv("CI_DEPLOY_TOKEN", "tok-do-not-leak")
    from autograder.sandbox import launch
    monkeypatch.setattr(launch, "_servers", {})  # a fresh fork server, started while the secret is set
    try:
        with Worker(spec) as worker:
            seen = call(worker, "environment")
            assert "CI_DEPLOY_TOKEN" not in seen["keys"] and "tok-do-not-leak" not in seen["proc"]
            assert seen["keys"] == worker.protections["environment"] or set(worker.protections["environment"]) \
                <= set(seen["keys"])
            assert "HOME" in seen["keys"]
    finally:
        launch.shutdown_forkserver()


@pytest.mark.parametrize("mode", MODES + ["none"])
def test_nothing_of_one_test_reaches_the_next(spec, monkeypatch, mode):
    """A module global, a patched numpy and scratch files left by one worker are gone in the next one."""
    monkeypatch.setenv("AUTOGRADER_ISOLATION", mode)
    with Sandbox(spec) as zygote:
        with Worker(spec, sandbox=zygote) as first:
            call(first, "leave_traces")
            left = call(first, "find_traces")  # the probe does leave traces
            assert left["counter"] == 1 and left["allclose_patched"] and "trace" in left["tmp"]
        with Worker(spec, sandbox=zygote) as second:
            assert call(second, "find_traces") == {"counter": 0, "allclose_patched": False, "tmp": [],
                                                   "cwd": ["home", "tmp"]}


@pytest.mark.parametrize("mode", MODES)
def test_scratch_is_capped_and_costs_the_host_no_disk(spec, monkeypatch, mode):
    monkeypatch.setenv("AUTOGRADER_ISOLATION", mode)
    spec.limits.scratch_mb = 32
    host_free = shutil.disk_usage(tempfile.gettempdir()).free
    with Sandbox(spec) as zygote:
        with Worker(spec, sandbox=zygote) as worker:
            confined_or_skip(worker)
            assert worker.protections["scratch_quota_mb"] == 32
            answer = worker.call("fill_scratch", {"chunk_mb": 4}, 20)["value"]
            assert answer["error"] == "No space left on device" and answer["written_mb"] <= 32
            # measured while the worker (and its full scratch) is still alive
            assert host_free - shutil.disk_usage(tempfile.gettempdir()).free <= 32 * 2**20
        with Worker(spec, sandbox=zygote) as worker:
            assert call(worker, "listing", path=".")["entries"] == ["home", "tmp"]


@pytest.mark.parametrize("mode", MODES + ["none"])
def test_shared_inputs_are_read_only_files_for_every_later_worker(spec, monkeypatch, mode):
    """Arrays the judge shares once reach each test's worker as read-only memory maps, not through the channel."""
    import numpy as np
    monkeypatch.setenv("AUTOGRADER_ISOLATION", mode)
    images = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    with Sandbox(spec) as zygote:
        zygote.share("split", {"images": images, "labels": np.array([0, 1])})
        zygote.share("split", {"images": images * 0})   # the first share of a name wins
        for _ in range(2):
            with Worker(spec, sandbox=zygote) as worker:
                seen = call(worker, "read_shared", name="split")
                assert seen["keys"] == ["images", "labels"] and seen["sum"] == images.sum()
                assert seen["dtype"] == "float32" and "read-only" in seen["written"]
                if mode != "none":
                    assert seen["created"] == "Read-only file system"
        with pytest.raises(ValueError, match="must be an identifier"):
            zygote.share("../escape", {"x": images})


@pytest.mark.parametrize("mode", MODES + ["none"])
def test_assets_are_the_listed_files_only(spec, tmp_path, monkeypatch, mode):
    monkeypatch.setenv("AUTOGRADER_ISOLATION", mode)
    data = tmp_path / "course" / "datasets"
    data.mkdir(parents=True)
    (data / "weights.txt").write_text("shipped weights")
    (data / "hidden_labels.txt").write_text("secret")
    spec.assets = {"datasets/weights.txt": data / "weights.txt"}
    with Worker(spec) as worker:
        seen = call(worker, "read_asset", name="datasets/weights.txt")
        assert seen["text"] == "shipped weights"
        if mode != "none":
            assert seen["folder"] == ["weights.txt"] and worker.protections["assets"] == ["datasets/weights.txt"]
            assert call(worker, "read", paths=[str(data / "hidden_labels.txt")]) == {
                str(data / "hidden_labels.txt"): "error: No such file or directory"}


def test_a_path_missing_from_the_view_is_an_engine_error_at_start(spec, monkeypatch):
    from autograder.sandbox import launch
    with Worker(spec) as worker:
        confined_or_skip(worker)
    monkeypatch.setattr(launch.os, "symlink", lambda *args, **kwargs: None)  # the submission never arrives
    zygote = Sandbox(spec)
    try:
        with pytest.raises(WorkerFailure, match="the sandbox's file system could not be built .*submission"):
            zygote.start()
    finally:
        zygote.stop()


def test_cuda_view_adds_the_gpu_device_nodes_and_nothing_on_cpu(monkeypatch):
    """The GPU path, checked without a GPU: the nodes the driver would create are mounted for CUDA only."""
    nodes = {"/dev/nvidia*": ["/dev/nvidia0", "/dev/nvidiactl", "/dev/nvidia-uvm"], "/dev/nvidia-caps": []}
    monkeypatch.setattr(view.glob, "glob", lambda pattern: nodes.get(pattern, []))
    cuda, cpu = view.allowlist("cuda"), view.allowlist("cpu")
    assert {"/dev/nvidia0", "/dev/nvidiactl", "/dev/nvidia-uvm"} <= set(cuda.devices) and "/sys" in cuda.binds
    assert not any("nvidia" in d for d in cpu.devices) and "/sys" not in cpu.binds
