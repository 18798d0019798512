"""Probes for assignment 5's hidden tests: call the student's functions inside the worker, train, report.

No expected values and no hidden labels or masks live here: the judge holds them and sends images only.
"""
import numpy as np

from autograder.authoring import call  # noqa: F401  (served as the `call` probe)
from autograder.authoring import answers, device, flag, number, plain, seed_all, stand_in_model, text, to_plain


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


@answers(forgery=plain, generated=plain, forgery_96=plain, bayar=number, srm=number, srm_used=plain,
         bayar_used=plain)
def model_structure(seed):
    """ForgeryNet() and GeneratedImageDetector() in eval mode on random 64x64 and 96x64 inputs: the output
    shapes; how many BayarConv2d and SRMConv2d layers ForgeryNet holds, and whether ForgeryNet's output changes
    when their outputs are replaced by zeros, i.e. whether forward uses them."""
    import torch
    from filters import BayarConv2d, SRMConv2d
    from model import ForgeryNet, GeneratedImageDetector
    seed_all(seed)
    net = ForgeryNet().eval()

    def shapes(out):
        return {k: list(v.shape) for k, v in out.items()} if isinstance(out, dict) else None
    with torch.no_grad():
        x = torch.rand(2, 3, 64, 64)
        forgery, forgery_96 = shapes(net(x)), shapes(net(torch.rand(3, 3, 96, 64)))
        generated = GeneratedImageDetector().eval()(torch.rand(2, 3, 64, 64))
    return {"forgery": forgery, "forgery_96": forgery_96,
            "generated": list(generated.shape) if isinstance(generated, torch.Tensor) else None,
            "bayar": sum(isinstance(m, BayarConv2d) for m in net.modules()),
            "srm": sum(isinstance(m, SRMConv2d) for m in net.modules()),
            "srm_used": _used(net, SRMConv2d, x), "bayar_used": _used(net, BayarConv2d, x)}


def _used(net, kind, x):
    """Whether zeroing the outputs of net's `kind` layers changes net(x) (None when net has none or fails)."""
    import torch
    layers = [m for m in net.modules() if isinstance(m, kind)]
    if not layers:
        return None

    def zeroed(forward):
        return lambda *args, **kwargs: torch.zeros_like(forward(*args, **kwargs))
    with torch.no_grad():
        before = net(x)
        for m in layers:   # on the instance, so that a call of m.forward(x) is caught as well as m(x)
            m.forward = zeroed(m.forward)
        try:
            after = net(x)
        finally:
            for m in layers:
                del m.forward
    if not isinstance(before, dict) or not isinstance(after, dict):
        return None

    def changed(a, b):   # NaN counts as a change (a forward that divides by the residual's spread)
        a, b = torch.as_tensor(a), torch.as_tensor(b)
        return a.shape == b.shape and float(torch.nan_to_num((a - b).abs(), nan=1.0).max()) > 1e-5
    return any(k in after and changed(before[k], after[k]) for k in before)


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


def _counting_steps(fn, *args, **kwargs):
    """fn(*args, **kwargs), and how many optimizer steps (any torch.optim optimizer) it took."""
    from torch.optim.optimizer import register_optimizer_step_post_hook
    steps = []
    handle = register_optimizer_step_post_hook(lambda *_: steps.append(1))
    try:
        return fn(*args, **kwargs), len(steps)
    finally:
        handle.remove()


def _watching_bayar(fn, *args, **kwargs):
    """fn(*args, **kwargs), and how many forwards of a BayarConv2d in training mode it ran, and in how many the
    weight broke the constraint as the forward began (before forward's own constrain(): an optimizer step not
    followed by constrain() in the training loop). The returned weights alone do not tell: a schedule whose
    last steps are tiny leaves them within any tolerance."""
    from torch.nn.modules.module import register_module_forward_pre_hook
    from filters import BayarConv2d
    forwards, broken = [], []

    def check(module, args):
        if isinstance(module, BayarConv2d) and module.training:
            forwards.append(1)
            if not _constrained(module.weight):
                broken.append(1)
    handle = register_module_forward_pre_hook(check)
    try:
        return fn(*args, **kwargs), len(forwards), len(broken)
    finally:
        handle.remove()


def _constrained(weight):
    """Whether a Bayar weight satisfies its constraint (centre -1, the rest summing to 1)."""
    import torch
    w = weight.detach().double().cpu()
    c = w.shape[-1] // 2
    return (torch.allclose(w[:, :, c, c], torch.full_like(w[:, :, c, c], -1.0), atol=1e-4)
            and torch.allclose(w.sum(dim=(2, 3)) + 1, torch.ones_like(w[:, :, 0, 0]), atol=1e-3))


def _bayar_constrained(model):
    """Whether every BayarConv2d of a model satisfies its constraint."""
    from filters import BayarConv2d
    return all(_constrained(layer.weight) for layer in model.modules() if isinstance(layer, BayarConv2d))


def _forward_probabilities(model, images, batch_size=200):
    """The model's own forward on uint8 images in eval mode, through a sigmoid: a dict of float32 arrays for a
    dict output, an array otherwise (None when it fails)."""
    import torch
    model.eval()
    parts = []
    try:
        with torch.no_grad():
            for i in range(0, len(images), batch_size):
                x = torch.as_tensor(np.asarray(images[i:i + batch_size]), dtype=torch.float32).permute(0, 3, 1, 2)
                out = model(x.contiguous().div(255).to(device()))
                if isinstance(out, dict):
                    out = {"score": torch.sigmoid(out["score"]).cpu(), "mask": torch.sigmoid(out["mask"][:, 0]).cpu()}
                parts.append(out if isinstance(out, dict) else torch.sigmoid(out).cpu())
    except Exception:   # noqa: BLE001  the judge then finds no agreement
        return None
    if isinstance(parts[0], dict):
        return {k: torch.cat([p[k] for p in parts]).numpy() for k in parts[0]}
    return torch.cat(parts).numpy()


@answers(predictions=plain, recompressed=plain, own=plain, own_recompressed=plain, untrained=plain, model=text,
         eval_mode=plain)
def train_forgery_and_predict(split, images, recompressed, seed, untrained_seed):
    """train.train_forgery(split, seed=seed) on the grading device (its other defaults); predict_forgery on `images`
    and on `recompressed` (the same patches saved again as JPEG at a
    quality outside the training's); the returned model's own forward on both (`own`, `own_recompressed`); and
    predict_forgery on `images` with an untrained ForgeryNet() made after seeding `untrained_seed`."""
    import train
    from model import ForgeryNet
    images, recompressed = np.asarray(images), np.asarray(recompressed)
    seed_all(seed)
    model = train.train_forgery(_arrays(split), seed=seed, device=device())
    eval_mode = not model.training
    # The model's own forward first, so that predict cannot leave anything in the model for it to find.
    own, own_recompressed = _forward_probabilities(model, images), _forward_probabilities(model, recompressed)
    own_recompressed = own_recompressed.get("score") if isinstance(own_recompressed, dict) else None
    predictions = train.predict_forgery(model, images, device=device())
    recompressed_scores = train.predict_forgery(model, recompressed, device=device())["score"]
    seed_all(untrained_seed)
    untrained = train.predict_forgery(ForgeryNet().to(device()), images, device=device())
    return {"predictions": to_plain(predictions), "recompressed": to_plain(recompressed_scores),
            "own": to_plain(own), "own_recompressed": to_plain(own_recompressed),
            "untrained": to_plain(untrained), "model": type(model).__name__, "eval_mode": eval_mode}


@answers(model=text, bayar_forwards=number, bayar_broken=number, bayar_constrained=flag)
def bayar_during_training(split, seed, epochs):
    """train.train_forgery(split, seed=seed, epochs=epochs): how many of its Bayar forwards began with a weight off the
    constraint (_watching_bayar), and whether its Bayar layers satisfy the constraint as returned (before any
    forward, which may project them again)."""
    import train
    model, forwards, broken = _watching_bayar(train.train_forgery, _arrays(split), seed=seed, epochs=epochs,
                                              device=device())
    return {"model": type(model).__name__, "bayar_forwards": forwards, "bayar_broken": broken,
            "bayar_constrained": _bayar_constrained(model)}


@answers(probability=plain, own=plain, untrained=plain, model=text, eval_mode=plain)
def train_generated_and_predict(split, images, seed, untrained_seed):
    """train.train_generated(split, seed=seed) on the grading device (its other defaults), then predict_generated
    on `images`; the returned model's own forward on them (`own`); and predict_generated with an untrained
    GeneratedImageDetector() made after seeding `untrained_seed`."""
    import train
    from model import GeneratedImageDetector
    images = np.asarray(images)
    seed_all(seed)
    model = train.train_generated(_arrays(split), seed=seed, device=device())
    eval_mode = not model.training
    own = _forward_probabilities(model, images)
    probability = train.predict_generated(model, images, device=device())
    seed_all(untrained_seed)
    untrained = train.predict_generated(GeneratedImageDetector().to(device()), images, device=device())
    return {"probability": to_plain(probability), "own": to_plain(own), "untrained": to_plain(untrained),
            "model": type(model).__name__, "eval_mode": eval_mode}


@answers(models=plain, eval_mode=plain, difference=number, steps=plain)
def train_twice(forgery_split, generated_split, seed):
    """train_forgery and train_generated, each twice with `seed` on small splits: the classes, modes, optimizer
    steps of each first run, and the largest difference between the two runs' outputs on one random image."""
    import torch
    import train
    x = torch.rand(1, 3, 64, 64, generator=torch.Generator().manual_seed(1)).to(device())
    models, modes, difference, steps = [], [], 0.0, []
    for fn, split in ((train.train_forgery, forgery_split), (train.train_generated, generated_split)):
        first, first_steps = _counting_steps(fn, _arrays(split), seed=seed, epochs=1, device=device())
        pair = [first, fn(_arrays(split), seed=seed, epochs=1, device=device())]
        steps.append(first_steps)
        models.append(type(pair[0]).__name__)
        modes.append(not pair[0].training)
        with torch.no_grad():
            outs = [m.eval()(x) for m in pair]
        if isinstance(outs[0], dict):
            difference = max([difference] + [float((outs[0][k] - outs[1][k]).abs().max()) for k in outs[0]])
        else:
            difference = max(difference, float((outs[0] - outs[1]).abs().max()))
    return {"models": models, "eval_mode": modes, "difference": difference, "steps": steps}
