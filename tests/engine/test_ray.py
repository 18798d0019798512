"""The Ray path on a real local instance with fake resources: the same gradebook as the local pool."""

import json
from pathlib import Path

import pytest

from autograder import batch

ray = pytest.importorskip("ray")

CUDA = '{"kind": "cuda", "factor": 1.0, "execute_on": "cpu"}'   # GPU budgets, so tasks ask for a (fake) GPU
REFERENCE = "def add(a, b):\n    return a + b\n\ndef slow():\n    return 1\n"
WRONG = "def add(a, b):\n    return a - b\n\ndef slow():\n    return 1\n"


@pytest.fixture
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
    on_ray = batch.run_batch("t1", subs, out=tmp_path / "ray", device_profile=CUDA, ray="")
    assert (local.graded, local.failed, local.backend) == (3, 1, "local")
    assert (on_ray.graded, on_ray.failed, on_ray.backend) == (3, 1, "ray")
    assert (tmp_path / "ray" / "grades.csv").read_text() == (tmp_path / "local" / "grades.csv").read_text()
    for student in ("alice", "bob", "carol", "dave"):
        assert (tmp_path / "ray" / "feedback" / f"{student}.txt").read_text() == \
            (tmp_path / "local" / "feedback" / f"{student}.txt").read_text()
    assert float((tmp_path / "ray" / "grades.csv").read_text().splitlines()[1].split(",")[1]) == 5.5
    processes = set()
    for student in ("alice", "bob", "carol"):
        info = json.loads((tmp_path / "ray" / "results" / f"{student}.json").read_text())["extra_data"]["batch"]
        assert len(info["ray"]["gpu_ids"]) == 1          # num_gpus=1 per task when grading with GPU budgets
        processes.add(info["judge"])
    assert len(processes) == 3                            # max_calls=1: a fresh process per task
    again = batch.run_batch("t1", subs, out=tmp_path / "ray", device_profile=CUDA, ray="")
    assert (again.graded, again.skipped) == (0, 4)
    assert Path(tmp_path / "ray" / "summary.html").exists()
