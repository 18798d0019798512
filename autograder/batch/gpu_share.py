"""Several grades on one GPU (`batch --per-gpu N`): which GPU each local judge runs on, the share each grade gets.

Each judge learns its share from AUTOGRADER_GPU_SHARE (N: how many grades share its GPU); its worker caps its
own GPU memory at `gpu_memory_fraction(N)`. On Ray each task asks for `num_gpus=1/N`, so Ray never places more
than N tasks on one GPU.
"""

from autograder import env
from autograder.batch.entries import BatchError
from autograder.judge.devices import GPU_MEMORY_MARGIN as MEMORY_MARGIN, gpu_memory_fraction

MIN_FRACTION = 0.05   # below this a grade would get too little memory to be fair to anyone


def check_per_gpu(per_gpu: int, on_gpu: bool):
    """Refuse a --per-gpu that cannot be honoured: below 1, too many shares, or a batch that grades on the CPU."""
    if per_gpu < 1:
        raise BatchError(f"--per-gpu must be at least 1, not {per_gpu}")
    if gpu_memory_fraction(per_gpu) < MIN_FRACTION:
        raise BatchError(f"--per-gpu {per_gpu} would leave each grade {100 * gpu_memory_fraction(per_gpu):.1f} % "
                         f"of a GPU's memory (1/{per_gpu} less {100 * MEMORY_MARGIN:g} % for its CUDA context): "
                         f"share a GPU between fewer grades")
    if per_gpu > 1 and not on_gpu:
        raise BatchError(f"--per-gpu {per_gpu} shares a GPU between grades, but this batch grades on the CPU: "
                         f"leave --per-gpu out (--jobs sets how many CPU judges run)")


def lane_gpus(gpus: list[str], per_gpu: int, jobs: int | None = None) -> list[str]:
    """The GPU of each local judge: `jobs` judges (default: per_gpu on every GPU), never more than per_gpu on one
    GPU, spread over the GPUs in turn."""
    lanes = len(gpus) * per_gpu if jobs is None else min(jobs, len(gpus) * per_gpu)
    return [gpus[i % len(gpus)] for i in range(lanes)]


def share_env(per_gpu: int) -> dict:
    """What a judge on a shared GPU finds in its environment."""
    return {env.GPU_SHARE: str(per_gpu)}


def share_info(gpu, per_gpu: int) -> dict:
    """What a result records of the GPU it was graded on (extra_data.batch)."""
    return {"gpu": None if gpu is None else str(gpu), "gpu_shared_by": per_gpu}
