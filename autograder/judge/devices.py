"""The device a grade runs on and the limits that know it: choose the device, measure the machine once (cached),
scale declared budgets."""

import hashlib
import json
import os
import platform
from dataclasses import asdict, dataclass, field, replace
from importlib import metadata
from pathlib import Path

from autograder import env
from autograder.assignments import Assignment, Limits

# Calibration best-of-7 times (seconds, one thread) on the reference machine: the 2-core CPU machines CI runs on
# ("steps" measured there on 2026-12-03, median of 5 runs). No reference GPU has been measured yet, so CUDA
# budgets are taken as declared (factor 1).
REFERENCE_SECONDS = {"cpu": {"matmul": 0.0060, "conv": 0.0105, "steps": 0.0050}}
FACTOR_BOUNDS = (0.5, 4.0)
START_ALLOWANCE = 1.0  # seconds added to every limit: worker start and the submission's imports
DEFAULT_BUDGET = {"cpu": 10.0}
PROFILE_ENV, SLOW_ENV = env.DEVICE_PROFILE, env.ALLOW_SLOW_DEVICE   # SLOW_ENV: set by --allow-slow-device


# Left out of each share of a GPU (`batch --per-gpu N`): `torch.cuda.set_per_process_memory_fraction` caps only
# torch's caching allocator, while every process also holds its CUDA context and the cuBLAS/cuDNN workspaces
# outside it (about 0.3-0.6 GB each). 4 % of the card per share covers that on a 16 GB card and up.
GPU_MEMORY_MARGIN = 0.04


class DeviceError(Exception):
    """The requested device cannot be used here."""


@dataclass
class DeviceProfile:
    """The device grading runs on, and how fast it is compared with the reference machine."""

    kind: str                      # "cpu" or "cuda": selects which budget applies
    name: str
    factor: float                  # slowdown against the reference: 2.0 means half as fast
    execute_on: str = ""           # where workers run torch; defaults to `kind` (an injected profile may differ)
    threads: int = 1
    source: str = "measured"       # measured | cache | injected
    measured: dict = field(default_factory=dict)
    fingerprint: str = ""

    def __post_init__(self):
        self.execute_on = self.execute_on or self.kind

    def scale(self):
        """The factor limits use: the measured one within FACTOR_BOUNDS; past the top only when allowed."""
        low, high = FACTOR_BOUNDS
        if self.factor > high and os.environ.get(SLOW_ENV) == "1":
            return self.factor
        return min(max(self.factor, low), high)

    def limit(self, budget: dict) -> float:
        """Seconds allowed for a test whose budget is {'cpu': s, 'cuda': s} on the reference machine."""
        seconds = budget.get(self.kind, budget.get("cpu", DEFAULT_BUDGET["cpu"]))
        return round(seconds * self.scale() + START_ALLOWANCE, 2)

    def explain(self, budget: dict) -> str:
        """How limit(budget) came about, in words, for the message of a test that ran out of time."""
        given = ", ".join(f"{seconds:g} s on {kind}" for kind, seconds in budget.items())
        return (f"time limit of {self.limit(budget):.1f} s exceeded (budget {given} on the reference machine, "
                f"scaled for this {self.kind} by {self.scale():g}, plus {START_ALLOWANCE:g} s start allowance)")

    def check_speed(self):
        """Refuse a device too slow for the limits to scale by (it would fail students for the machine);
        returns the warning to record when the factor lies outside its bounds but grading goes on."""
        low, high = FACTOR_BOUNDS
        if self.factor > high:
            if os.environ.get(SLOW_ENV) != "1":
                raise DeviceError(f"this {self.kind} is {self.factor:g}x slower than the reference machine, past "
                                  f"the {high:g}x the time limits scale by, so students would fail for the "
                                  f"machine's speed: grade on a faster machine, or pass --allow-slow-device to "
                                  f"scale the limits by {self.factor:g}")
            return (f"graded with --allow-slow-device on a {self.kind} {self.factor:g}x slower than the reference "
                    f"machine: limits scaled by {self.factor:g}")
        if self.factor < low:
            return (f"this {self.kind} is faster than the reference machine by more than the limits scale "
                    f"(factor {self.factor:g}): limits use {low:g}")
        return None

    def as_dict(self):
        return asdict(self)


def gpu_memory_fraction(n: int) -> float:
    """The fraction of a GPU's memory one of `n` grades sharing it may allocate: 1/n minus GPU_MEMORY_MARGIN."""
    return round(1.0 / n - GPU_MEMORY_MARGIN, 4)


def shared_limits(limits: Limits) -> Limits:
    """`limits`, with the GPU memory capped at this judge's share when `batch --per-gpu N` put N grades on its GPU
    (env.GPU_SHARE)."""
    shared_by = int(os.environ.get(env.GPU_SHARE) or 1)
    if shared_by <= 1:
        return limits
    return replace(limits, gpu_memory_fraction=min(limits.gpu_memory_fraction, gpu_memory_fraction(shared_by)))


def cuda_present() -> bool:
    """Whether an NVIDIA GPU is visible, without initialising CUDA in this process."""
    if os.environ.get("CUDA_VISIBLE_DEVICES", None) in ("", "-1"):
        return False
    return Path("/proc/driver/nvidia/gpus").is_dir() and any(Path("/proc/driver/nvidia/gpus").iterdir())


def visible_gpus() -> list[str]:
    """The GPUs this machine offers (CUDA_VISIBLE_DEVICES when set), without initialising CUDA."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        return [g.strip() for g in visible.split(",") if g.strip() and g.strip() != "-1"]
    gpus = Path("/proc/driver/nvidia/gpus")
    return [str(i) for i in range(len(list(gpus.iterdir())))] if gpus.is_dir() else []


def allowed_device(assignment: Assignment, requested: str) -> str:
    """The request `assignment` may be graded with: a CPU-only one (devices in assignment.toml) grades on the CPU
    whatever 'auto' finds, and refuses 'cuda'."""
    if "cuda" in assignment.devices:
        return requested
    if requested == "cuda":
        raise DeviceError(f"{assignment.name} runs on the CPU only (devices in assignment.toml)")
    return "cpu"


def profile_for(assignment: Assignment, requested: str = "auto", injected: str | None = None) -> DeviceProfile:
    """The device profile to grade `assignment` with: the one rule every grading path (a grade, a batch) uses."""
    return resolve_profile(allowed_device(assignment, requested), assignment.limits.threads, injected)


def select_device(requested: str = "auto", cuda_available: bool | None = None) -> str:
    """'cpu' or 'cuda' for a request of auto, cpu or cuda."""
    if requested not in ("auto", "cpu", "cuda"):
        raise DeviceError(f"unknown device {requested!r}: use auto, cpu or cuda")
    available = cuda_present() if cuda_available is None else cuda_available
    if requested == "cuda" and not available:
        raise DeviceError("--device cuda was asked for, but no NVIDIA GPU is visible on this machine")
    return "cuda" if requested == "cuda" or (requested == "auto" and available) else "cpu"


def cpu_model():
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def fingerprint(kind, threads):
    """What makes two calibrations comparable: device, driver, torch, CPU model and thread count."""
    parts = [kind, metadata.version("torch"), platform.machine(), str(threads), str(os.cpu_count()), cpu_model(),
             " ".join(sorted(REFERENCE_SECONDS.get(kind, {})))]   # a new benchmark is measured again
    if kind == "cuda":
        for info in sorted(Path("/proc/driver/nvidia/gpus").glob("*/information")):
            parts += [l for l in info.read_text().splitlines() if l.startswith("Model")]
        version = Path("/proc/driver/nvidia/version")
        parts += version.read_text().splitlines()[:1] if version.exists() else []
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def factor_from(measured, kind):
    """Slowdown against the reference: the largest per-benchmark ratio (1.0 without a reference).

    The machine's slowest side sets the limits: they only stop a test, never award points (speed is graded
    as a ratio), so a machine whose matrix kernels are fast but whose per-operator overhead is not must not
    kill a correct training run."""
    reference = REFERENCE_SECONDS.get(kind)
    if not reference:
        return 1.0
    return round(max(measured[k] / reference[k] for k in reference), 3)


def cache_file():
    return env.cache_dir() / "calibration.json"


def _measure(kind, threads):
    from autograder.sandbox.client import Worker
    from autograder.sandbox.launch import WorkerSpec
    spec = WorkerSpec(submission_dir=None, probes_module="autograder.worker.calibration", sandbox=False,
                      device=kind, limits=Limits(threads=threads))
    with Worker(spec) as worker:
        answer = worker.call("benchmark", {"device": kind}, timeout=120)
    if not answer["ok"]:
        raise DeviceError(f"calibration failed on {kind}: {answer['error']['message']}")
    return answer["value"]


def injected_profile(source: str) -> DeviceProfile:
    """A profile from a JSON file path or JSON text, for testing the limit logic without the hardware."""
    text = Path(source).read_text() if not source.lstrip().startswith("{") else source
    data = json.loads(text)
    return DeviceProfile(kind=data["kind"], name=data.get("name", f"injected {data['kind']}"),
                         factor=float(data.get("factor", 1.0)), execute_on=data.get("execute_on", "cpu"),
                         threads=int(data.get("threads", 1)), source="injected")


def resolve_profile(requested: str = "auto", threads: int = 1, profile: str | None = None) -> DeviceProfile:
    """The device profile to grade with: injected, cached for this machine, or measured now."""
    profile = profile or os.environ.get(PROFILE_ENV)
    if profile:
        return injected_profile(profile)
    return measured_profile(select_device(requested), threads)


def cpu_profile(profile: DeviceProfile) -> DeviceProfile:
    """The profile of this machine's CPU: `profile` when it is a CPU's, else the CPU measured (or cached) with the
    same threads. Costs are measured on the CPU whatever device grades, and scaled by this one's factor."""
    return profile if profile.kind == "cpu" else measured_profile("cpu", profile.threads)


def measured_profile(kind: str, threads: int) -> DeviceProfile:
    """The profile of this machine's `kind`, cached per device fingerprint, measured when not cached."""
    key = fingerprint(kind, threads)
    path = cache_file()
    cache = {}
    if path.exists():
        try:
            cache = json.loads(path.read_text())
        except ValueError:
            cache = {}
    if key in cache:   # the factor is worked out again, so a corrected reference reaches cached machines
        cached = cache[key]
        return DeviceProfile(**{**cached, "source": "cache", "factor": factor_from(cached["measured"], kind)})
    measured = _measure(kind, threads)
    info = measured.pop("info")
    name = info.get("gpu") or f"{cpu_model()}, {threads} thread(s)"
    profile = DeviceProfile(kind=kind, name=name, factor=factor_from(measured, kind), threads=threads,
                            measured=measured, fingerprint=key)
    cache[key] = profile.as_dict()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(cache, indent=1))
        tmp.replace(path)
    except OSError:
        pass  # an unwritable cache only costs a re-measurement next time
    return profile
