"""Probes for assignment 4's hidden tests: call the student's functions inside the worker and report what came back.

No expected values and no held-out labels live here: the training probe gets the public training
split and the hidden split's images only. Submission modules are imported inside each probe. The
cost figures of the trained model (parameters, multiply-accumulates by FlopCounterMode) are counted
here, by course code, on the very model that made the predictions; its latency is timed by the judge
around the `latency` probe, which reuses that model (kept in this worker for the rest of the test) and
runs it on the CPU, one thread, whatever the grading device.
"""
import numpy as np

from autograder.probe import answers, array, number, optional, plain, text

_COUNTER = {}  # FlopCounterMode, as imported before any submission module
_TRAINED = {}  # the model the training probe made, for the latency probe of the same test (same worker)


def _t(values, dtype="float64", grad=False):
    import torch
    t = torch.from_numpy(np.array(values, dtype=dtype))
    return t.requires_grad_() if grad else t


def _array(value):
    import torch
    return value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else value


def _grad(tensor):
    return None if tensor.grad is None else tensor.grad.detach().numpy()


@answers(radii=array)
def gaussian_radius(sizes, min_overlap):
    """targets.gaussian_radius(h, w, min_overlap) for each (h, w) row of sizes."""
    import targets
    return {"radii": [float(targets.gaussian_radius(float(h), float(w), min_overlap)) for h, w in sizes]}


@answers(heatmap=optional(array), returned_same=plain)
def draw_gaussian(shape, centers, radii):
    """targets.draw_gaussian on a zero float32 heatmap, once per (center, radius), in order."""
    import targets
    heatmap = np.zeros(shape, dtype=np.float32)
    same = True
    for center, radius in zip(centers, radii):
        out = targets.draw_gaussian(heatmap, (int(center[0]), int(center[1])), int(radius))
        same = same and out is heatmap
    return {"heatmap": heatmap, "returned_same": bool(same)}


@answers(heatmap=optional(array), wh=optional(array), offset=optional(array), reg_mask=optional(array))
def build_targets(boxes, labels, output_size, num_classes):
    """targets.build_targets for one image (stride 4)."""
    import targets
    out = targets.build_targets(np.asarray(boxes, dtype=np.float32).reshape(-1, 4),
                                np.asarray(labels, dtype=np.int64), tuple(int(s) for s in output_size),
                                int(num_classes))
    return {key: _array(out.get(key)) for key in ("heatmap", "wh", "offset", "reg_mask")}


@answers(loss=optional(array), grad=optional(array))
def focal_loss(pred, target):
    """losses.focal_loss in float64, and its gradient with respect to pred."""
    import losses
    p = _t(pred, grad=True)
    loss = losses.focal_loss(p, _t(target))
    loss.backward()
    return {"loss": _array(loss), "grad": _grad(p)}


@answers(loss=optional(array), grad=optional(array))
def reg_l1_loss(pred, target, mask):
    """losses.reg_l1_loss in float64, and its gradient with respect to pred."""
    import losses
    p = _t(pred, grad=True)
    loss = losses.reg_l1_loss(p, _t(target), _t(mask))
    loss.backward()
    return {"loss": _array(loss), "grad": _grad(p)}


@answers(loss=optional(array), grad=optional(array))
def seg_loss(logits, mask, dice_weight):
    """losses.seg_loss in float64, and its gradient with respect to the logits."""
    import losses
    z = _t(logits, grad=True)
    loss = losses.seg_loss(z, _t(mask, "int64"), dice_weight=dice_weight)
    loss.backward()
    return {"loss": _array(loss), "grad": _grad(z)}


@answers(total=optional(array), parts=plain)
def multitask_loss(outputs, targets, weights):
    """losses.multitask_loss in float64 on given outputs and targets."""
    import losses
    outs = {k: _t(v) for k, v in outputs.items()}
    tgts = {k: _t(v, "int64" if k == "mask" else "float64") for k, v in targets.items()}
    total, parts = losses.multitask_loss(outs, tgts, weights)
    return {"total": _array(total), "parts": {k: float(_array(v)) for k, v in dict(parts).items()}}


@answers(iou=optional(array))
def box_iou(a, b):
    """postprocess.box_iou in float64."""
    import postprocess
    return {"iou": _array(postprocess.box_iou(_t(a).reshape(-1, 4), _t(b).reshape(-1, 4)))}


@answers(keep=optional(array))
def nms(boxes, scores, iou_threshold, labels):
    """postprocess.nms in float64 (labels None: class-agnostic)."""
    import postprocess
    lab = None if labels is None else _t(labels, "int64")
    return {"keep": _array(postprocess.nms(_t(boxes).reshape(-1, 4), _t(scores), iou_threshold, labels=lab))}


@answers(boxes=plain, scores=plain, labels=plain)
def decode(heatmap, wh, offset, k, threshold):
    """postprocess.decode on given float32 head outputs; per image lists of arrays."""
    import postprocess
    outputs = {"heatmap": _t(heatmap, "float32"), "wh": _t(wh, "float32"), "offset": _t(offset, "float32")}
    dets = postprocess.decode(outputs, k=k, threshold=threshold)
    return {"boxes": [_array(d["boxes"]) for d in dets], "scores": [_array(d["scores"]) for d in dets],
            "labels": [_array(d["labels"]) for d in dets]}


@answers(conf=optional(array))
def confusion_matrix(pred, target, num_classes):
    """metrics.confusion_matrix."""
    import metrics
    return {"conf": metrics.confusion_matrix(np.asarray(pred), np.asarray(target), num_classes)}


@answers(miou=optional(number))
def mean_iou(conf):
    """metrics.mean_iou (nan comes back as None)."""
    import metrics
    value = metrics.mean_iou(np.asarray(conf))
    value = None if value is None else float(value)
    return {"miou": None if value is None or not np.isfinite(value) else value}


@answers(x=optional(array))
def prepare_images(images):
    """train.prepare_images."""
    import train
    return {"x": _array(train.prepare_images(np.asarray(images, dtype=np.uint8)))}


@answers(out=optional(array), num_params=number)
def depthwise_separable(x, in_channels, out_channels, stride):
    """A fresh model.DepthwiseSeparable (train mode) on x; its output and parameter count."""
    import torch
    from autograder.probe import seed_all
    seed_all(0)
    import model
    block = model.DepthwiseSeparable(in_channels, out_channels, stride=stride)
    out = block(torch.from_numpy(np.asarray(x, dtype=np.float32)))
    return {"out": _array(out), "num_params": int(sum(p.numel() for p in block.parameters()))}


@answers(shapes=plain, heatmap_range=optional(array), modules=plain, grads=plain)
def multitasknet(x, width):
    """A fresh model.MultiTaskNet(num_classes=3, width) in eval mode: output shapes, the heatmap's range,
    the layer types it holds, and whether a backward pass reaches every output."""
    import torch
    from autograder.probe import seed_all
    seed_all(0)
    import model
    net = model.MultiTaskNet(num_classes=3, width=width)
    net.eval()
    out = net(torch.from_numpy(np.asarray(x, dtype=np.float32)))
    out = dict(out) if isinstance(out, dict) else {}
    shapes = {k: list(v.shape) for k, v in out.items() if isinstance(v, torch.Tensor)}
    heat = out.get("heatmap")
    rng = None if not isinstance(heat, torch.Tensor) else np.array([float(heat.min()), float(heat.max())])
    grads = {}
    for key, value in out.items():
        if isinstance(value, torch.Tensor) and value.requires_grad:
            net.zero_grad()
            value.float().mean().backward(retain_graph=True)
            grads[key] = any(p.grad is not None and bool(p.grad.abs().sum() > 0) for p in net.parameters())
    modules = sorted({type(m).__name__ for m in net.modules()})
    depthwise = sum(1 for m in net.modules() if isinstance(m, torch.nn.Conv2d) and m.groups > 1
                    and m.groups == m.in_channels)
    return {"shapes": shapes, "heatmap_range": rng, "modules": modules + [f"depthwise:{depthwise}"],
            "grads": grads}


def _cost(model_, size):
    """Parameters, and multiply-accumulates of one batch-1 forward pass counted by FlopCounterMode."""
    import torch
    from autograder.probe import device
    params = int(sum(p.numel() for p in model_.parameters()))
    x = torch.zeros(1, 3, size, size, device=device())
    with torch.no_grad(), _COUNTER["mode"](display=False) as counter:
        model_(x)
    return params, int(counter.get_total_flops()) // 2


@answers(boxes=plain, scores=plain, labels=plain, masks=array, params=number, macs=number, model=text)
def train_multitask(train_split, test_images, seed):
    """train.train_multitask with the student's defaults on the grading device, then train.predict on the
    test images; the trained model's parameter count and batch-1 MACs at the images' size."""
    from torch.utils.flop_counter import FlopCounterMode
    from autograder.probe import device, seed_all
    _COUNTER["mode"] = FlopCounterMode  # taken before the student's modules are imported
    seed_all(seed)
    import train
    model_ = train.train_multitask(train_split, seed=seed, device=device())
    preds = train.predict(model_, np.asarray(test_images, dtype=np.uint8), device=device())
    model_.eval()
    _TRAINED["model"] = model_
    params, macs = _cost(model_, int(np.shape(test_images)[1]))
    preds = list(preds)
    return {"boxes": [np.asarray(_array(p["boxes"])) for p in preds],
            "scores": [np.asarray(_array(p["scores"])) for p in preds],
            "labels": [np.asarray(_array(p["labels"])) for p in preds],
            "masks": np.stack([np.asarray(_array(p["mask"])) for p in preds]) if preds else np.zeros((0, 1, 1)),
            "params": params, "macs": macs, "model": type(model_).__name__}


@answers(ran=number)
def latency(n, size):
    """n batch-1 forward passes of the model trained in this worker, on the CPU with the worker's one thread
    whatever the grading device (an edge-device proxy; the judge times the call)."""
    import copy
    import torch
    model_ = _TRAINED["model"]
    if any(p.device.type != "cpu" for p in model_.parameters()):
        model_ = copy.deepcopy(model_).cpu()
    x = torch.zeros(1, 3, size, size)
    out = None
    with torch.no_grad():
        for _ in range(n):
            out = model_(x)
    return {"ran": n if out is not None else 0}


@answers(ran=number)
def yardstick(n, size):
    """n passes of a fixed operation (the judge times the call): a 3 x 3 convolution 32 -> 32 channels at
    size / 2, on the CPU in the same worker, as the latency probe runs."""
    import torch
    import torch.nn.functional as F
    g = torch.Generator().manual_seed(0)
    x = torch.randn(1, 32, size // 2, size // 2, generator=g)
    w = torch.randn(32, 32, 3, 3, generator=g)
    y = None
    with torch.no_grad():
        for _ in range(n):
            y = F.conv2d(x, w, padding=1)
    return {"ran": n if y is not None else 0}
