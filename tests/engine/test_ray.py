"""The Ray path on a real local instance with fake resources: the same gradebook as the local pool."""

import json
from pathlib import Path

import pytest

from autograder import batch
from autograder.batch import ray_pool

ray = pytest.importorskip("ray")

CUDA = '{"kind": "cuda", "factor": 1.0, "execute_on": "cpu"}'   # GPU budgets, so tasks ask for a (fake) GPU
REFERENCE = "def add(a, b):\n    return a + b\n\ndef slow():\n    return 1\n"
WRONG = "def add(a, b):\n    return a - b\n\ndef slow():\n    return 1\n"


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, num_gpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


@pytest.mark.slow
def test_ray_gives_the_same_gradebook_as_the_local_pool(toy_course, tmp_path, local_ray):
    subs = tmp_path / "subs"
    for name, source in (("alice", REFERENCE), ("bob", WRONG)):
        (subs / name / "lib").mkdir(parents=True)
        (subs / name / "lib" / "ops.py").write_text(source)
    (subs / "carol.py").write_text(REFERENCE)
    (subs / "dave.zip").write_text("not a zip")
    local = batch.run_batch("t1", subs, out=tmp_path / "local", jobs=2, device_profile=CUDA)
    on_ray = batch.run_batch("t1", subs, out=tmp_path / "ray", device_profile=CUDA, ray="", per_gpu=2)
    assert (local.graded, local.failed, local.backend) == (3, 1, "local")
    assert (on_ray.graded, on_ray.failed, on_ray.backend, on_ray.jobs) == (3, 1, "ray", 4)   # 2 GPUs x 2
    assert (tmp_path / "ray" / "grades.csv").read_text() == (tmp_path / "local" / "grades.csv").read_text()
    for student in ("alice", "bob", "carol", "dave"):
        assert (tmp_path / "ray" / "feedback" / f"{student}.txt").read_text() == \
            (tmp_path / "local" / "feedback" / f"{student}.txt").read_text()
    assert float((tmp_path / "ray" / "grades.csv").read_text().splitlines()[1].split(",")[1]) == 5.5
    processes = set()
    for student in ("alice", "bob", "carol"):
        info = json.loads((tmp_path / "ray" / "results" / f"{student}.json").read_text())["extra_data"]["batch"]
        assert len(info["ray"]["gpu_ids"]) == 1          # num_gpus=1/2 per task with --per-gpu 2: one GPU id
        assert info["gpu_shared_by"] == 2 and [info["gpu"]] == info["ray"]["gpu_ids"]
        processes.add(info["judge"])
    assert len(processes) == 3                            # max_calls=1: a fresh process per task
    again = batch.run_batch("t1", subs, out=tmp_path / "ray", device_profile=CUDA, ray="")
    assert (again.graded, again.skipped) == (0, 4)
    assert Path(tmp_path / "ray" / "summary.html").exists()


def most_at_once(spans):
    """The most spans (start, end) open at one moment."""
    events = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    count = peak = 0
    for _, step in events:
        count += step
        peak = max(peak, count)
    return peak


@pytest.mark.slow
def test_per_gpu_puts_at_most_n_tasks_on_one_gpu(toy_course, tmp_path, local_ray):
    def hold_a_gpu(seconds):   # nested: Ray ships it by value (its workers cannot import this test module)
        """Hold a GPU share for a while: (its GPU ids, when it started, when it ended)."""
        import time
        started = time.time()
        time.sleep(seconds)
        return [str(g) for g in ray.get_gpu_ids()], started, time.time()

    # num_cpus 0: only the GPU share limits how many run; 6 tasks want more than the 2 GPUs x 2 shares
    task = ray.remote(max_calls=1, max_retries=0)(hold_a_gpu).options(**ray_pool.task_options(0, True, per_gpu=2))
    held = ray.get([task.remote(3.0) for _ in range(6)])
    assert all(len(ids) == 1 for ids, _, _ in held)
    by_gpu = {gpu: [(start, end) for ids, start, end in held if ids == [gpu]] for gpu in ("0", "1")}
    peaks = {gpu: most_at_once(spans) for gpu, spans in by_gpu.items()}
    assert max(peaks.values()) == 2, peaks                # two shared a GPU, never three

    subs = tmp_path / "subs"   # a whole batch with --per-gpu 2 is graded above, beside the local pool
    (subs / "alice" / "lib").mkdir(parents=True)
    (subs / "alice" / "lib" / "ops.py").write_text(REFERENCE)
    with pytest.raises(batch.BatchError, match="grades on the CPU"):
        batch.run_batch("t1", subs, out=tmp_path / "cpu", device_profile='{"kind": "cpu"}', ray="", per_gpu=2)
