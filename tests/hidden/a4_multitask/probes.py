"""Probes for assignment 4's hidden tests: call the student's functions inside the worker, train, report.

No expected values, no held-out boxes or masks live here: the judge holds the hidden split's annotations
and shares images only (read-only files, `probe.shared`). Costs are measured around the student's `predict`
itself, never on an object the student hands over: multiply-accumulates and the model state it reads by
autograder.worker.cost (bound when this file loads, before any submission module), and the latency is the judge's
clock around a probe that calls `predict` on one image at a time, on the CPU.
"""
import numpy as np

from autograder.authoring import measure_cost, record_devices, trusted_check
from autograder.authoring import call  # noqa: F401  (served as the `call` probe)
from autograder.authoring import (answers, array, device, flag, number, optional, plain, seed_all, shared,
                                  stand_in_model, text, to_plain)

_TRAINED = {}   # the model trained by train_and_predict, for the latency probe in the same worker


@answers(shapes=plain, heatmap_range=optional(plain), heatmap_mean=optional(number), depthwise=number,
         pointwise=number, params=number, block=plain)
def model_structure(sizes, seed):
    """MultiTaskNet() in eval mode on random inputs of each (H, W): the output shapes; the heatmap's range and
    mean at initialisation; the number of depthwise 3x3 and pointwise 1x1 convolutions; a DepthwiseSeparable
    block's output shape and its convolutions' groups."""
    import torch
    from model import DepthwiseSeparable, MultiTaskNet
    seed_all(seed)
    model = MultiTaskNet().eval()
    shapes, low, high, means = [], [], [], []
    with torch.no_grad():
        for H, W in sizes:
            out = model(torch.randn(2, 3, H, W))
            shapes.append({k: list(v.shape) for k, v in out.items()} if isinstance(out, dict) else None)
            heat = out.get("heatmap") if isinstance(out, dict) else None
            if isinstance(heat, torch.Tensor):
                low.append(float(heat.min()))
                high.append(float(heat.max()))
                means.append(float(heat.mean()))
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    depthwise = sum(m.groups == m.in_channels > 1 and m.kernel_size == (3, 3) for m in convs)
    pointwise = sum(m.kernel_size == (1, 1) and m.groups == 1 for m in convs)
    block = DepthwiseSeparable(8, 16, stride=2).eval()
    with torch.no_grad():
        y = block(torch.randn(2, 8, 15, 16))
    block_convs = [(m.in_channels, m.out_channels, list(m.kernel_size), m.groups)
                   for m in block.modules() if isinstance(m, torch.nn.Conv2d)]
    return {"shapes": shapes, "heatmap_range": [min(low), max(high)] if low else None,
            "heatmap_mean": float(np.mean(means)) if means else None, "depthwise": int(depthwise),
            "pointwise": int(pointwise), "params": int(sum(p.numel() for p in torch.nn.Module.parameters(model))),
            "block": {"shape": list(y.shape), "convs": block_convs}}


@answers(results=plain, calls=number, eval_mode=plain)
def predict_fixed(outputs, images):
    """train.predict with a stand-in model (the probe's, not the student's) whose forward returns the given
    maps for the images it is handed, in order."""
    from train import predict
    model = stand_in_model(outputs)
    results = predict(model, np.asarray(images, dtype=np.uint8), device="cpu")
    return {"results": to_plain(results), "calls": len(model.modes), "eval_mode": [not m for m in model.modes]}


@answers(predictions=plain, forward_masks=array, heatmaps=array, untrained=plain, params=number, macs=number,
         counter_ok=flag, model=text)
def train_and_predict(boxes, labels, seed, untrained_count):
    """train.train_multitask on the shared training scenes (with these boxes and labels; seed=seed, on the
    grading device, its other defaults), then train.predict on the shared hidden images, measured as it runs
    (autograder.worker.cost: multiply-accumulates per image and the elements of model state it read). Also the
    returned model's own forward on the same images (its masks and heatmaps: what predict's answers must
    come from), and predict's answers for the first `untrained_count` images with an untrained
    MultiTaskNet() from the student's constructor. counter_ok: the counters count a trusted layer right."""
    import torch
    import train
    from model import MultiTaskNet
    scenes = shared("scenes")   # read-only memory maps: the student's code gets its own writable copies
    train_split = {"images": np.array(scenes["train_images"]), "masks": np.array(scenes["train_masks"]),
                   "boxes": list(boxes), "labels": list(labels)}
    images = np.array(scenes["hidden_images"])
    seed_all(seed)
    model = train.train_multitask(train_split, seed=seed, device=device())
    with measure_cost() as cost:
        predictions = train.predict(model, images, device=device())
    _TRAINED["model"] = model
    masks, heatmaps = [], []
    with torch.no_grad():
        for start in range(0, len(images), 100):
            out = model.eval()(train.images_to_tensor(images[start:start + 100]).to(device()))
            masks.append(out["seg"].argmax(dim=1).to(torch.uint8).cpu().numpy())
            heatmaps.append(out["heatmap"].float().cpu().numpy())
    seed_all(seed)
    untrained = MultiTaskNet().to(device()).eval()
    return {"predictions": to_plain(predictions), "forward_masks": np.concatenate(masks),
            "heatmaps": np.concatenate(heatmaps),
            "untrained": to_plain(train.predict(untrained, images[:untrained_count], device=device())),
            "params": int(cost.params), "macs": int(cost.macs // len(images)), "counter_ok": trusted_check(),
            "model": type(model).__name__}


@answers(predictions=plain, devices=plain)
def predict_one_at_a_time(count):
    """train.predict on the first `count` hidden images, one image per call, on the CPU (the model trained in
    this worker, moved there): the judge's clock around this probe is the latency. devices: what the first
    call's operators touched."""
    import train
    images = np.array(shared("scenes")["hidden_images"][:count])
    model = _TRAINED["model"].to("cpu")
    with record_devices() as devices:
        predictions = list(train.predict(model, images[:1], device="cpu"))
    for i in range(1, count):
        predictions.extend(train.predict(model, images[i:i + 1], device="cpu"))
    return {"predictions": to_plain(predictions), "devices": sorted(devices)}


@answers(ops=plain)
def box_ops_traced(boxes, scores):
    """nms and decode under record_ops(): the torch functions and operators they ran."""
    import torch
    from autograder.authoring import record_ops
    from postprocess import decode, nms
    heat = torch.rand(1, 3, 4, 4, generator=torch.Generator().manual_seed(0))
    with record_ops() as ops:
        nms(torch.as_tensor(boxes), torch.as_tensor(scores), 0.5)
        decode({"heatmap": heat, "wh": torch.ones(1, 2, 4, 4), "offset": torch.zeros(1, 2, 4, 4)}, k=5)
    return {"ops": sorted(ops)}


@answers(model=text, eval_mode=plain, difference=number)
def train_twice(train_split, seed):
    """train.train_multitask(train_split, seed=seed) twice (its other defaults): the first model's class and
    mode, and the largest difference between the two models' outputs on one random image."""
    import torch
    import train
    models = [train.train_multitask(train_split, seed=seed, device=device()) for _ in range(2)]
    eval_mode = not models[0].training
    x = torch.randn(1, 3, 64, 64, generator=torch.Generator().manual_seed(1)).to(device())
    with torch.no_grad():
        outs = [m.eval()(x) for m in models]
    difference = max(float((outs[0][k] - outs[1][k]).abs().max()) for k in outs[0])
    return {"model": type(models[0]).__name__, "eval_mode": eval_mode, "difference": difference}


# bound when this file loads, before any submission module can patch it
from torch.utils._python_dispatch import TorchDispatchMode  # noqa: E402


class _ConvRecorder(TorchDispatchMode):
    """Records each convolution ATen runs: [input channels, groups, kernel size]."""

    @classmethod
    def _should_skip_dynamo(cls):
        return False   # as autograder.worker.optrace's recorder: no torch._dynamo import in the worker

    def __init__(self):
        super().__init__()
        self.convs = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if str(func) in ("aten.convolution.default", "aten._convolution.default"):
            groups = args[8] if len(args) > 8 else (kwargs or {}).get("groups", 1)
            self.convs.append([int(args[0].shape[1]), int(groups), list(args[1].shape[2:])])
        return func(*args, **(kwargs or {}))


@answers(depthwise_run=number, blocks_feeding=number, blocks=number)
def depthwise_in_forward(seed):
    """MultiTaskNet() in eval mode, one forward of a random (2, 3, 64, 64) input, then the backward of a random
    projection of its outputs: the depthwise 3x3 convolutions the forward ran (groups equal to their input's
    channels, above 1), how many of its DepthwiseSeparable blocks have a parameter the outputs' gradient reaches,
    and how many it holds."""
    import torch
    from model import DepthwiseSeparable, MultiTaskNet
    seed_all(seed)
    model = MultiTaskNet().eval()
    recorder = _ConvRecorder()
    with recorder:
        out = model(torch.randn(2, 3, 64, 64))
    generator = torch.Generator().manual_seed(seed)
    sum((v * torch.randn(v.shape, generator=generator)).sum() for v in out.values()).backward()
    blocks = [m for m in model.modules() if isinstance(m, DepthwiseSeparable)]
    feeding = sum(any(p.grad is not None and bool(p.grad.abs().sum() > 0) for p in b.parameters()) for b in blocks)
    depthwise = sum(groups == channels > 1 and kernel == [3, 3] for channels, groups, kernel in recorder.convs)
    return {"depthwise_run": int(depthwise), "blocks_feeding": int(feeding), "blocks": len(blocks)}
