"""Probes for assignment 4's hidden tests: call the student's functions inside the worker, train, report.

No expected values, no held-out boxes or masks live here: the judge holds the hidden split's annotations
and shares images only (read-only files, `probe.shared`). Costs are measured here by probe code, never by
the student's: parameters through nn.Module's own method, multiply-accumulates with PyTorch's
FlopCounterMode (bound when this file loads, before any submission module), and the latency is the judge's
clock around a probe that runs R forwards.
"""
import numpy as np
from torch.utils.flop_counter import FlopCounterMode

from autograder.probe import (answers, call, device, number, optional, plain, seed_all,  # noqa: F401 (call)
                              shared, stand_in_model, text, to_plain)

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


def _same(a, b):
    """Whether two outputs of the model (dicts of tensors) agree within float noise."""
    import torch
    return isinstance(a, dict) and isinstance(b, dict) and set(a) == set(b) and all(
        torch.allclose(a[k].float(), b[k].float(), rtol=1e-4, atol=1e-5) for k in a)


@answers(predictions=plain, params=number, macs=number, counter_ok=plain, model=text)
def train_and_predict(boxes, labels, seed):
    """train.train_multitask on the shared training scenes (with these boxes and labels; seed=seed, on the
    grading device, its other defaults), then train.predict on the shared hidden images; the trained model's
    parameters and multiply-accumulates for one 64x64 image. counter_ok: the counter counts a trusted layer
    right, and the model computes the same under it as without."""
    import torch
    import train
    scenes = shared("scenes")   # read-only memory maps: the student's code gets its own writable copies
    train_split = {"images": np.array(scenes["train_images"]), "masks": np.array(scenes["train_masks"]),
                   "boxes": list(boxes), "labels": list(labels)}
    seed_all(seed)
    model = train.train_multitask(train_split, seed=seed, device=device())
    predictions = train.predict(model, np.array(scenes["hidden_images"]), device=device())
    _TRAINED["model"] = model
    model.eval()
    params = sum(p.numel() for p in torch.nn.Module.parameters(model))
    x = torch.randn(1, 3, 64, 64, generator=torch.Generator().manual_seed(seed)).to(device())
    counter, check = FlopCounterMode(display=False), FlopCounterMode(display=False)
    with torch.no_grad():
        plain_out = model(x)
        with counter:
            counted_out = model(x)
        with check:
            torch.nn.Linear(10, 10)(torch.ones(1, 10))
    return {"predictions": to_plain(predictions), "params": int(params), "macs": int(counter.get_total_flops() // 2),
            "counter_ok": check.get_total_flops() == 200 and _same(plain_out, counted_out),
            "model": type(model).__name__}


@answers(runs=number, consistent=plain)
def latency(inputs):
    """Batch-1 forwards of the model trained in this worker over `inputs` (R, 3, 64, 64), one after another.
    consistent: the first four batch-1 outputs match one forward of the four as a batch."""
    import torch
    model = _TRAINED["model"]
    x = torch.as_tensor(np.asarray(inputs), dtype=torch.float32).to(device())
    with torch.no_grad():
        singles = [model(x[i:i + 1]) for i in range(len(x))]
        if device() == "cuda":
            torch.cuda.synchronize()
        batch = model(x[:4])
    stacked = {k: torch.cat([s[k] for s in singles[:4]]) for k in batch} if isinstance(batch, dict) else None
    return {"runs": len(x), "consistent": _same(batch, stacked)}


@answers(ops=plain)
def box_ops_traced(boxes, scores):
    """nms and decode under record_ops(): the torch functions and operators they ran."""
    import torch
    from autograder.optrace import record_ops
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
