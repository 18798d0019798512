"""A CUDA grade's workers repeat their runs (deterministic algorithms, no TF32, a fixed cuBLAS workspace) and say
which operators could not; the fork server never starts CUDA. Tested on the CPU through an injected CUDA profile,
and for real where a GPU is visible."""

import pytest

from autograder import assignments
from autograder.judge import devices
from autograder.judge.grading import grade
from autograder.sandbox.launch import forkserver
from toy import write

CUDA = '{"kind": "cuda", "name": "injected GPU", "factor": 1.0}'
CPU = '{"kind": "cpu", "factor": 1.0}'

SETTINGS = '''
def add(a, b):
    return a + b

def settings():
    import os
    import torch
    return {"deterministic": torch.are_deterministic_algorithms_enabled(),
            "warn_only": torch.is_deterministic_algorithms_warn_only_enabled(),
            "tf32": [torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32],
            "benchmark": torch.backends.cudnn.benchmark,
            "cublas": os.environ.get("CUBLAS_WORKSPACE_CONFIG")}

def scatter():
    import torch
    t = torch.zeros(4)
    t.put_(torch.tensor([1, 2]), torch.tensor([1.0, 2.0]))   # no deterministic kernel (on any device)
    return float(t.sum())
'''

TESTS = '''
import pytest

@pytest.mark.points(1)
def test_settings(submission):
    got = submission.probe("run", name="settings")["value"]
    cuda = submission.profile.kind == "cuda"
    assert got["deterministic"] is cuda and got["warn_only"] is cuda, f"deterministic algorithms: {got}"
    assert got["cublas"] == (":4096:8" if cuda else None), f"cuBLAS workspace: {got}"
    if cuda:
        assert got["tf32"] == [False, False] and got["benchmark"] is False, f"TF32 and benchmark: {got}"

@pytest.mark.points(1)
def test_scatter(submission):
    assert submission.probe("run", name="scatter")["value"] == 99, "the sum is not 99"
'''


@pytest.fixture
def course(toy_course):
    write(toy_course, "tests/hidden/toy/test_cuda.py", TESTS)
    return assignments.find("t1")


def _graded(assignment, submission, profile):
    results = grade(assignment, submission, device_profile=profile, select="test_settings or test_scatter")
    return {t.name.split("::")[-1]: t for t in results.tests}, results


def test_a_cuda_grade_runs_deterministic_and_names_what_is_not(course, make_submission):
    tests, results = _graded(course, make_submission(SETTINGS), CUDA)
    assert tests["test_settings"].score == 1, tests["test_settings"].output
    assert results.protections.get("deterministic_algorithms") == "on (warn only)"
    scatter = tests["test_scatter"]
    assert scatter.nondeterministic_ops == ["put_"]
    assert "ran put_, which has no deterministic CUDA kernel" in scatter.output


def test_a_cpu_grade_keeps_torch_defaults(course, make_submission):
    tests, results = _graded(course, make_submission(SETTINGS), CPU)
    assert tests["test_settings"].score == 1, tests["test_settings"].output
    assert "deterministic_algorithms" not in results.protections
    assert tests["test_scatter"].nondeterministic_ops == []


def test_the_fork_server_never_starts_cuda(course, make_submission):
    device = "cuda" if devices.cuda_present() else "cpu"
    profile = None if device == "cuda" else CUDA
    results = grade(course, make_submission(SETTINGS), device=device, device_profile=profile, select="test_settings")
    assert results.tests[0].score == 1, results.tests[0].output
    state = forkserver(course.preload).status()
    assert state == {"torch": True, "cuda_initialized": False}


@pytest.mark.skipif(not devices.cuda_present(), reason="needs an NVIDIA GPU (the CPU tests above inject a profile)")
def test_a_real_cuda_worker_starts_its_context_before_the_clock(course, make_submission):
    results = grade(course, make_submission(SETTINGS), device="cuda", select="test_settings")
    assert results.tests[0].score == 1, results.tests[0].output
    assert results.protections["cuda_start_s"] > 0   # paid in the worker's start, not in the test's probe time
    assert results.protections["gpu_memory_fraction"] > 0


def test_a_judge_sharing_its_gpu_caps_its_workers_memory(monkeypatch):
    from autograder import env
    from autograder.assignments import Limits
    monkeypatch.setenv(env.GPU_SHARE, "4")   # batch --per-gpu 4 sets it in each judge
    assert devices.shared_limits(Limits(gpu_memory_fraction=0.9)).gpu_memory_fraction == 0.21
    assert devices.shared_limits(Limits(gpu_memory_fraction=0.1)).gpu_memory_fraction == 0.1   # already lower
    monkeypatch.delenv(env.GPU_SHARE)
    assert devices.shared_limits(Limits(gpu_memory_fraction=0.9)).gpu_memory_fraction == 0.9


@pytest.mark.skipif(not devices.cuda_present(), reason="needs an NVIDIA GPU (the test above checks the share)")
def test_a_real_shared_gpu_caps_the_worker(course, make_submission, monkeypatch):
    from autograder import env
    monkeypatch.setenv(env.GPU_SHARE, "2")
    results = grade(course, make_submission(SETTINGS), device="cuda", select="test_settings")
    assert results.protections["gpu_memory_fraction"] == devices.gpu_memory_fraction(2)
