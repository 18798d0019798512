"""A worker's CUDA set-up: runs that repeat, a memory cap, and the context started before the test's clock.

Nothing here runs in the fork server or the zygote: a CUDA context does not survive `fork`, so each worker
starts its own, after the fork. The settings apply whenever the grade is a CUDA grade (also when an injected
CUDA profile executes on the CPU, which is how they are tested without a GPU); the calls that need a GPU are
made only where one is there.
"""

import os
import sys
import time
import warnings

# cuBLAS picks its reduction order per workspace: a fixed workspace makes matmuls repeat. Read when cuBLAS
# starts, so it is set before the first CUDA call.
CUBLAS_WORKSPACE = ":4096:8"
NONDETERMINISTIC = "does not have a deterministic implementation"   # the text of torch's alert


def environment(deterministic):
    """Variables the worker's environment needs before CUDA starts."""
    return {"CUBLAS_WORKSPACE_CONFIG": CUBLAS_WORKSPACE} if deterministic else {}


def configure(deterministic, on_gpu, memory_fraction=None):
    """Make this worker's torch repeatable (a CUDA grade), and on a GPU start its CUDA context and cap its
    memory; returns what is in force, for the results. An operator without a deterministic CUDA kernel warns
    (and is reported, see `NondeterministicOps`) instead of failing the student's run."""
    torch = sys.modules.get("torch")
    if torch is None:
        return {}
    in_force = _repeatable(torch) if deterministic else {}
    if on_gpu and torch.cuda.is_available():
        started = time.perf_counter()
        try:
            torch.cuda.init()
            torch.zeros(1, device="cuda").sum().item()   # the context and the allocator, before the test's clock
        except Exception as exc:   # recorded; the probes meet the same error and report it as theirs
            in_force["cuda_start_error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
            return in_force
        in_force["cuda_start_s"] = round(time.perf_counter() - started, 3)
        if memory_fraction:
            torch.cuda.set_per_process_memory_fraction(memory_fraction)
            in_force["gpu_memory_fraction"] = memory_fraction
    return in_force


def _repeatable(torch):
    # torch.use_deterministic_algorithms(True, warn_only=True) without its import of torch._inductor (3 s in every
    # fresh worker): nothing is compiled here.
    torch._C._set_deterministic_algorithms(True, warn_only=True)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    warnings.filterwarnings("always", message=f".*{NONDETERMINISTIC}")
    return {"deterministic_algorithms": "on (warn only)", "tf32": "off", "cudnn_benchmark": "off",
            "cublas_workspace": os.environ.get("CUBLAS_WORKSPACE_CONFIG")}


class NondeterministicOps(warnings.catch_warnings):
    """Collects, while a probe runs, the operators torch reported as having no deterministic kernel."""

    def __init__(self):
        super().__init__(record=True)
        self.ops = []

    def __enter__(self):
        self.caught = super().__enter__()
        warnings.filterwarnings("always", message=f".*{NONDETERMINISTIC}")
        return self

    def __exit__(self, *exc):
        for w in self.caught:
            text = str(w.message)
            if NONDETERMINISTIC in text:
                op = text.split(NONDETERMINISTIC)[0].strip()
                if op not in self.ops:
                    self.ops.append(op)
        return super().__exit__(*exc)
