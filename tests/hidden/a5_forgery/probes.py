"""Probes for assignment 5's hidden tests: call the student's functions inside the worker, train, report.

No expected values and no hidden labels or masks live here: the judge holds them and sends images only.
"""
import numpy as np

from autograder.probe import (answers, call, device, number, plain, seed_all, stand_in_model, text,  # noqa: F401
                              to_plain)


@answers(weight=plain, buffers=plain, params=number, out=plain)
def srm_layer(x):
    """SRMConv2d(): its `weight` buffer, buffer names, parameter count, and its output for `x` (N, 3, H, W)."""
    import torch
    from filters import SRMConv2d
    layer = SRMConv2d()
    with torch.no_grad():
        out = layer(torch.as_tensor(np.asarray(x), dtype=torch.float32))
    return {"weight": to_plain(dict(layer.named_buffers()).get("weight")),
            "buffers": sorted(n for n, _ in layer.named_buffers()), "params": sum(p.numel() for p in layer.parameters()),
            "out": to_plain(out)}


@answers(initial=plain, stepped=plain, used=plain, out=plain, params=plain)
def bayar_step(shape, x, grad, lr, seed):
    """A BayarConv2d(*shape) (seeded), one SGD step with the given gradient on its weight, then a forward on
    `x`: the weight at creation, right after the step, after the forward, and the forward's output."""
    import torch
    from filters import BayarConv2d
    torch.manual_seed(seed)
    layer = BayarConv2d(*shape)
    initial = layer.weight.detach().clone()
    optimizer = torch.optim.SGD(layer.parameters(), lr=lr)
    layer.weight.grad = torch.as_tensor(np.asarray(grad), dtype=torch.float32)
    optimizer.step()
    stepped = layer.weight.detach().clone()
    with torch.no_grad():
        out = layer(torch.as_tensor(np.asarray(x), dtype=torch.float32))
    return {"initial": to_plain(initial), "stepped": to_plain(stepped), "used": to_plain(layer.weight),
            "out": to_plain(out), "params": [list(p.shape) for p in layer.parameters()]}


@answers(forgery=plain, generated=plain, forgery_96=plain, bayar=number, srm=number)
def model_structure(seed):
    """ForgeryNet() and GeneratedImageDetector() in eval mode on random 64x64 and 96x64 inputs: the output
    shapes; how many BayarConv2d and SRMConv2d layers ForgeryNet holds."""
    import torch
    from filters import BayarConv2d, SRMConv2d
    from model import ForgeryNet, GeneratedImageDetector
    seed_all(seed)
    net = ForgeryNet().eval()

    def shapes(out):
        return {k: list(v.shape) for k, v in out.items()} if isinstance(out, dict) else None
    with torch.no_grad():
        forgery, forgery_96 = shapes(net(torch.rand(2, 3, 64, 64))), shapes(net(torch.rand(3, 3, 96, 64)))
        generated = GeneratedImageDetector().eval()(torch.rand(2, 3, 64, 64))
    return {"forgery": forgery, "forgery_96": forgery_96,
            "generated": list(generated.shape) if isinstance(generated, torch.Tensor) else None,
            "bayar": sum(isinstance(m, BayarConv2d) for m in net.modules()),
            "srm": sum(isinstance(m, SRMConv2d) for m in net.modules())}


@answers(result=plain, eval_mode=plain, first_input=plain)
def predict_fixed(task, outputs, images):
    """train.predict_forgery (task "forgery") or predict_generated ("generated") with a stand-in model that
    returns `outputs`: what predict returned, whether every call was in eval mode, the first input it got."""
    import train
    model = stand_in_model(outputs)
    predict = train.predict_forgery if task == "forgery" else train.predict_generated
    result = predict(model, np.asarray(images, dtype=np.uint8), device="cpu")
    return {"result": to_plain(result), "eval_mode": [not m for m in model.modes], "first_input": model.inputs[0]}


def _arrays(split):
    """A split as the judge sent it (photo names as a list) back to make_manipulated's or make_generated's dict."""
    return {k: np.asarray(v) for k, v in split.items()}


def _bayar_constrained(model):
    """Whether every BayarConv2d of a model satisfies its constraint (centre -1, the rest summing to 1)."""
    import torch
    from filters import BayarConv2d
    for layer in model.modules():
        if isinstance(layer, BayarConv2d):
            w = layer.weight.detach().double().cpu()
            c = w.shape[-1] // 2
            if not torch.allclose(w[:, :, c, c], torch.full_like(w[:, :, c, c], -1.0), atol=1e-4):
                return False
            if not torch.allclose(w.sum(dim=(2, 3)) + 1, torch.ones_like(w[:, :, 0, 0]), atol=1e-3):
                return False
    return True


@answers(predictions=plain, recompressed=plain, model=text, eval_mode=plain, bayar_constrained=plain)
def train_forgery_and_predict(split, images, recompressed, seed):
    """train.train_forgery(split, seed=seed) on the grading device (its other defaults), then predict_forgery on
    `images` and on `recompressed` (the same patches saved again as JPEG at a quality outside the training's)."""
    import train
    seed_all(seed)
    model = train.train_forgery(_arrays(split), seed=seed, device=device())
    eval_mode = not model.training
    return {"predictions": to_plain(train.predict_forgery(model, np.asarray(images), device=device())),
            "recompressed": to_plain(train.predict_forgery(model, np.asarray(recompressed), device=device())[
                "score"]),
            "model": type(model).__name__, "eval_mode": eval_mode, "bayar_constrained": _bayar_constrained(model)}


@answers(probability=plain, model=text, eval_mode=plain)
def train_generated_and_predict(split, images, seed):
    """train.train_generated(split, seed=seed) on the grading device (its other defaults), then
    predict_generated on `images`."""
    import train
    seed_all(seed)
    model = train.train_generated(_arrays(split), seed=seed, device=device())
    eval_mode = not model.training
    return {"probability": to_plain(train.predict_generated(model, np.asarray(images), device=device())),
            "model": type(model).__name__, "eval_mode": eval_mode}


@answers(models=plain, eval_mode=plain, difference=number)
def train_twice(forgery_split, generated_split, seed):
    """train_forgery and train_generated, each twice with `seed` on small splits: the classes, modes, and the
    largest difference between the two runs' outputs on one random image."""
    import torch
    import train
    x = torch.rand(1, 3, 64, 64, generator=torch.Generator().manual_seed(1)).to(device())
    models, modes, difference = [], [], 0.0
    for fn, split in ((train.train_forgery, forgery_split), (train.train_generated, generated_split)):
        pair = [fn(_arrays(split), seed=seed, epochs=1, device=device()) for _ in range(2)]
        models.append(type(pair[0]).__name__)
        modes.append(not pair[0].training)
        with torch.no_grad():
            outs = [m.eval()(x) for m in pair]
        if isinstance(outs[0], dict):
            difference = max([difference] + [float((outs[0][k] - outs[1][k]).abs().max()) for k in outs[0]])
        else:
            difference = max(difference, float((outs[0] - outs[1]).abs().max()))
    return {"models": models, "eval_mode": modes, "difference": difference}
