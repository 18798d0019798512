"""Probes for the public tests: they run your code inside the grader's worker and report what came back."""
import numpy as np

from autograder.authoring import answers, plain, to_plain


@answers(radius=plain, heatmap=plain)
def targets(h, w, radius):
    """Your gaussian_radius(h, w) and draw_gaussian on a 7x7 zero map at (3, 3) with `radius`."""
    from targets import draw_gaussian, gaussian_radius
    return {"radius": gaussian_radius(h, w), "heatmap": draw_gaussian(np.zeros((7, 7)), (3, 3), radius)}


@answers(iou=plain, keep=plain)
def boxes(a, b, scores):
    """Your box_iou(a, b) and nms(a, scores, 0.5)."""
    import torch
    from postprocess import box_iou, nms
    a, b = torch.tensor(a, dtype=torch.float32), torch.tensor(b, dtype=torch.float32)
    return {"iou": to_plain(box_iou(a, b)), "keep": to_plain(nms(a, torch.tensor(scores), 0.5))}


@answers(shapes=plain)
def model_shapes():
    """Your MultiTaskNet's output shapes for two 64x64 images."""
    import torch
    from model import MultiTaskNet
    out = MultiTaskNet().eval()(torch.zeros(2, 3, 64, 64))
    return {"shapes": {k: list(v.shape) for k, v in out.items()}}


@answers(conf=plain, miou=plain)
def metrics(pred, target):
    """Your confusion_matrix(pred, target, 4) and mean_iou of it."""
    from metrics import confusion_matrix, mean_iou
    conf = confusion_matrix(np.asarray(pred), np.asarray(target), 4)
    return {"conf": to_plain(conf), "miou": mean_iou(conf)}
