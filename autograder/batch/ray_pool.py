"""Grade a batch on a Ray cluster: one Ray task per submission, in a fresh process, results back as plain data.

The task is a judge: it calls `judge.judge`, which grades through the
sandboxed worker exactly as the local pool does; student code never runs in
the Ray worker itself. Each task gets the submission's files as bytes (no
shared file system needed), `num_gpus=1/N` when grading on a GPU (`--per-gpu N`
grades a GPU, default 1), and `max_calls=1`. The course (assignments/,
tests/hidden/) and this package must be installed on every node, at
AUTOGRADER_ROOT when that is set. `ray` is an optional extra
(`pip install "autograder[ray]"`) and is imported only here; connecting to a
cluster (its token) is ray_connect.py's job.
"""

import os
import shutil
import uuid
from pathlib import Path

from autograder import env as engine_env
from autograder.batch import judge
from autograder.batch import gpu_share
from autograder.batch.entries import BatchError
from autograder.batch.ray_connect import connected

def pack(path, assignment):
    """(name, bytes) of an entry: a file as it is; of a folder, the assignment's files (all the engine reads)."""
    import io
    import zipfile
    path = Path(path)
    if not path.is_dir():
        return path.name, path.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel in assignment.files:
            if (path / rel).is_file():
                archive.writestr(rel, (path / rel).read_bytes())
    return path.name + ".zip", buffer.getvalue()


def grade_task(env, assignment_id, entry_name, name, payload, student, key, device, device_profile):
    """The Ray task, in a fresh process: take the judge's environment, unpack the entry in its hidden temp space,
    and grade it there."""
    os.environ.update(env)   # before anything reads it (a runtime_env would cost seconds a task)
    import ray
    from autograder.sandbox.launch import engine_tmp
    folder = engine_tmp() / f"ray-{uuid.uuid4().hex[:12]}"
    folder.mkdir()
    try:
        (folder / name).write_bytes(payload)
        data = judge.judge(assignment_id, str(folder / name), student, key, device, device_profile)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    gpu_ids = [str(g) for g in ray.get_gpu_ids()]
    data["extra_data"]["batch"]["entry"] = entry_name
    data["extra_data"]["batch"]["ray"] = {"node": ray.get_runtime_context().get_node_id(), "gpu_ids": gpu_ids}
    if gpu_ids:
        data["extra_data"]["batch"].update(gpu_share.share_info(gpu_ids[0], int(env.get(engine_env.GPU_SHARE, 1))))
    return data


def uses_gpu(assignment, device, device_profile, cluster_gpus):
    """Whether tasks need a GPU: asked for, an injected CUDA profile, or 'auto' on a cluster that has GPUs."""
    from autograder.judge import devices
    device = devices.allowed_device(assignment, device)   # refuses cuda for a CPU-only assignment
    if "cuda" not in assignment.devices:
        return False
    profile = device_profile or os.environ.get(devices.PROFILE_ENV)
    if profile:
        return devices.injected_profile(profile).kind == "cuda"
    if device == "cuda" and not cluster_gpus:
        raise devices.DeviceError("--device cuda was asked for, but the Ray cluster has no GPU")
    return device == "cuda" or (device == "auto" and cluster_gpus > 0)


def task_options(threads, gpu, per_gpu=1):
    """Ray's resources of one task: its threads, and 1/per_gpu of a GPU when grading on one."""
    return {"num_cpus": threads, "num_gpus": 1 / per_gpu if gpu else 0}


def grade_all(todo, *, assignment, address, device, device_profile, env, on_result, per_gpu=1):
    """Grade `todo` (batch Entries) as Ray tasks, at most `per_gpu` on one GPU; `on_result(entry, data)` as each
    ends. Returns device info."""
    try:
        import ray
    except ImportError:
        raise BatchError("--ray needs Ray, an optional extra: pip install 'autograder[ray]'") from None
    with connected(address):
        gpus = int(ray.cluster_resources().get("GPU", 0))
        gpu = uses_gpu(assignment, device, device_profile, gpus)
        gpu_share.check_per_gpu(per_gpu, gpu)
        env = {**env, **engine_env.forwarded(), **(gpu_share.share_env(per_gpu) if gpu else {})}
        task = ray.remote(max_calls=1, max_retries=0)(grade_task).options(  # max_calls=1: a fresh process a task
            **task_options(assignment.limits.threads, gpu, per_gpu))
        refs = {}
        for entry in todo:
            name, payload = pack(entry.path, assignment)
            task_device = "cuda" if gpu else "cpu"   # an injected profile decides over it
            refs[task.remote(env, assignment.id, entry.path.name, name, payload, entry.student, entry.key, task_device,
                             device_profile)] = entry
        try:
            while refs:
                done, _ = ray.wait(list(refs), num_returns=1)
                for ref in done:
                    entry = refs.pop(ref)
                    try:
                        data = ray.get(ref)
                    except ray.exceptions.RayTaskError as exc:
                        cause = getattr(exc, "cause", None) or exc
                        data = judge.error_result(assignment, entry, f"internal grading error: "
                                                                     f"{type(cause).__name__}: {str(cause)[:300]}")
                    except ray.exceptions.RayError as exc:  # the task's process or node died
                        data = judge.error_result(assignment, entry, "the grading process died while grading "
                                                                     f"this submission ({type(exc).__name__})")
                    on_result(entry, data)
        except BaseException:
            for ref in refs:
                ray.cancel(ref, force=True)
            raise
        cpus = int(ray.cluster_resources().get("CPU", 1))
        parallel = gpus * per_gpu if gpu else max(1, cpus // assignment.limits.threads)
        return {"kind": "cuda" if gpu else "cpu", "name": f"Ray cluster ({cpus} CPUs, {gpus} GPUs)",
                "parallel": parallel}
