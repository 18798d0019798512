"""Several grades per GPU (`batch --per-gpu N`) on the local pool, without a GPU: lanes pinned to fake GPU ids."""

import os
import subprocess
import sys
from collections import Counter

import pytest

from autograder import batch, env
from autograder.batch import entries, gpu_share
from autograder.batch.local_pool import lane_envs

CPU = '{"kind": "cpu", "factor": 1.0}'
REFERENCE = "def add(a, b):\n    return a + b\n\ndef slow():\n    return 1\n"


def test_two_gpus_three_a_gpu_give_six_lanes_three_on_each():
    lanes = lane_envs({"OMP_NUM_THREADS": "1"}, ["0", "1"], 3, None)
    assert len(lanes) == 6
    assert Counter(lane_env["CUDA_VISIBLE_DEVICES"] for lane_env, _ in lanes) == {"0": 3, "1": 3}
    assert all(lane_env["CUDA_VISIBLE_DEVICES"] == gpu for lane_env, gpu in lanes)
    assert {lane_env[env.GPU_SHARE] for lane_env, _ in lanes} == {"3"}
    assert {lane_env["OMP_NUM_THREADS"] for lane_env, _ in lanes} == {"1"}


def test_jobs_never_put_more_than_per_gpu_on_one_gpu():
    assert Counter(gpu_share.lane_gpus(["0", "1"], 3, jobs=10)) == {"0": 3, "1": 3}
    assert Counter(gpu_share.lane_gpus(["0", "1"], 3, jobs=4)) == {"0": 2, "1": 2}
    assert gpu_share.lane_gpus(["2", "5"], 1) == ["2", "5"]            # the default: one judge per GPU, as before
    cpu_lanes = lane_envs({"OMP_NUM_THREADS": "1"}, [], 1, 3)
    assert [gpu for _, gpu in cpu_lanes] == [None] * 3
    assert not any("CUDA_VISIBLE_DEVICES" in e or env.GPU_SHARE in e for e, _ in cpu_lanes)


def test_memory_fraction_leaves_the_margin_for_each_share():
    assert gpu_share.gpu_memory_fraction(1) == pytest.approx(1 - gpu_share.MEMORY_MARGIN)
    for n in (2, 3, 4):
        fraction = gpu_share.gpu_memory_fraction(n)
        assert n * (fraction + gpu_share.MEMORY_MARGIN) == pytest.approx(1, abs=1e-3)


@pytest.mark.parametrize("per_gpu, on_gpu, says", [(0, True, "at least 1"), (2, False, "grades on the CPU"),
                                                    (12, True, "share a GPU between fewer grades")])
def test_a_per_gpu_that_cannot_be_honoured_is_refused(per_gpu, on_gpu, says):
    with pytest.raises(batch.BatchError, match=says):
        gpu_share.check_per_gpu(per_gpu, on_gpu)
    gpu_share.check_per_gpu(1, False)
    gpu_share.check_per_gpu(4, True)


def judge_reporting_its_gpu(assignment_id, path, student, key, device, device_profile):
    """Stands in for batch.judge in a spawned judge: says which GPU and share its environment gave it."""
    return {"score": 1.0, "max_score": 1.0, "tests": [], "output": "",
            "extra_data": {"batch": {"student": student, "key": key, "error": None,
                                     "seen": [os.environ.get("CUDA_VISIBLE_DEVICES"), os.environ.get(env.GPU_SHARE)]}}}


def test_each_judge_runs_with_its_gpu_and_share(toy_course, tmp_path):
    from autograder import assignments
    todo = [entries.Entry(s, tmp_path / s, f"key-{s}") for s in ("ann", "ben", "cat", "dov")]
    seen = {}
    batch.grade_local(todo, assignment=assignments.find("t1"), jobs=4, device="cuda", device_profile=None, env={},
                      gpus=["0", "1"], per_gpu=2, on_result=lambda entry, data: seen.setdefault(entry.student, data),
                      judge_fn=judge_reporting_its_gpu)
    infos = [data["extra_data"]["batch"] for data in seen.values()]
    assert Counter(info["seen"][0] for info in infos) == {"0": 2, "1": 2}   # four judges, two on each GPU
    assert all(info["seen"] == [info["gpu"], "2"] and info["gpu_shared_by"] == 2 for info in infos)


def test_per_gpu_on_a_cpu_batch_is_one_sentence(toy_course, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "alice.py").write_text(REFERENCE)
    out = subprocess.run([sys.executable, "-m", "autograder.cli", "batch", "t1", str(subs), "--out",
                          str(tmp_path / "out"), "--per-gpu", "2", "--device-profile", CPU],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, out.stderr
    assert out.stderr.strip().splitlines() == ["autograder: --per-gpu 2 shares a GPU between grades, but this batch "
                                               "grades on the CPU: leave --per-gpu out (--jobs sets how many CPU "
                                               "judges run)"]
    assert not list((tmp_path / "out" / "results").glob("*.json"))
