"""Hidden tests for losses.py: values and gradients against references computed here with torch. 9 points.

Heatmaps hold exact peaks (value 1) among Gaussian falloff so that both branches of the focal loss count;
one case has no peak at all (the loss is then the negative term alone), one has predictions saturated at exactly
0 and 1 (a sigmoid's output in float32 reaches both), where only the clamp keeps the loss and its gradient finite.
The L1 loss also sees a mask with no centre (an image without objects: 0, not 0 / 0), and multitask_loss weights
without a dice entry (its default 0).
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.authoring import assert_close

EPS = 1e-4


def ref_focal(pred, gt):
    p = pred.clamp(EPS, 1 - EPS)
    pos = (gt == 1).double()
    pos_loss = (torch.log(p) * (1 - p) ** 2 * pos).sum()
    neg_loss = (torch.log(1 - p) * p ** 2 * (1 - gt) ** 4 * (1 - pos)).sum()
    n = pos.sum()
    return -neg_loss if n == 0 else -(pos_loss + neg_loss) / n


def ref_l1(pred, target, mask):
    m = mask.unsqueeze(1).expand_as(pred).double()
    return (torch.abs(pred - target) * m).sum() / (m.sum() + EPS)


def ref_seg(logits, mask, dice_weight=0.0):
    loss = F.cross_entropy(logits, mask.long())
    if dice_weight:
        s = F.softmax(logits, dim=1)
        t = F.one_hot(mask.long(), logits.shape[1]).permute(0, 3, 1, 2).double()
        dice = (2 * (s * t).sum((0, 2, 3)) + 1) / (s.sum((0, 2, 3)) + t.sum((0, 2, 3)) + 1)
        loss = loss + dice_weight * (1 - dice.mean())
    return loss


def _with_grad(fn, *arrays):
    """fn's value and the gradients of the float arrays, in float64."""
    xs = [torch.tensor(a, dtype=torch.float64, requires_grad=np.issubdtype(np.asarray(a).dtype, np.floating))
          if not np.issubdtype(np.asarray(a).dtype, np.integer) else torch.as_tensor(a) for a in arrays]
    value = fn(*xs)
    value.backward()
    return value.item(), [x.grad.numpy() if x.grad is not None else None for x in xs]


def _heatmaps(rng, peaks=True):
    gt = rng.uniform(0, 0.9, size=(2, 3, 8, 8)) ** 3
    if peaks:
        gt[0, 1, 2, 3] = gt[1, 0, 5, 5] = gt[1, 2, 7, 0] = 1.0
    pred = rng.uniform(0.02, 0.98, size=gt.shape)
    return pred.astype(np.float32), gt.astype(np.float32)


def _saturated(rng):
    """Heatmaps with predictions of exactly 0 and 1: on peaks (log p, and log(1 - p) masked out) and elsewhere."""
    pred, gt = _heatmaps(rng)
    pred[0, 1, 2, 3] = pred[1, 0, 0, 0] = pred[1, 2, 3, 3] = 1.0   # a peak, two cells off the peaks
    pred[1, 0, 5, 5] = pred[0, 2, 6, 6] = 0.0                      # a peak, a cell off the peaks
    return pred, gt


FOCAL_CASES = {   # what the message adds, the heatmaps
    "peaks": ("", _heatmaps),
    "no_peak": (" with no peak in the target", lambda rng: _heatmaps(rng, peaks=False)),
    "saturated": (" with predictions of exactly 0 and 1 (clamped to [EPS, 1 - EPS] first)", _saturated),
}


@pytest.mark.points(1)
@pytest.mark.budget(cpu=8, cuda=8)
@pytest.mark.parametrize("case", list(FOCAL_CASES))
def test_focal_loss(call, rng, case):
    what, make = FOCAL_CASES[case]
    pred, gt = make(rng)
    out = call("losses", "focal_loss", pred, gt, tensors=[0, 1], grad=True)
    value, (dpred, _) = _with_grad(ref_focal, pred, gt)
    assert_close(out["out"], value, rtol=1e-4, what="focal_loss" + what)
    if case != "no_peak":
        assert_close(out["grads"].get("0"), dpred, rtol=1e-3, atol=1e-6, what="the gradient of focal_loss" + what)


@pytest.mark.points(2)
@pytest.mark.budget(cpu=8, cuda=8)
def test_reg_l1_loss(call, rng):
    pred, target = rng.normal(size=(2, 2, 6, 6)).astype(np.float32), rng.normal(size=(2, 2, 6, 6)).astype(np.float32)
    mask = np.zeros((2, 6, 6), np.float32)
    mask[0, 1, 2] = mask[0, 4, 4] = mask[1, 0, 5] = 1
    out = call("losses", "reg_l1_loss", pred, target, mask, tensors=[0, 1, 2], grad=True)
    value, (dpred, _, _) = _with_grad(ref_l1, pred, target, mask)
    assert_close(out["out"], value, rtol=1e-4, what="reg_l1_loss (the mean over the masked entries)")
    assert_close(out["grads"].get("0"), dpred, rtol=1e-3, atol=1e-6, what="the gradient of reg_l1_loss")
    out = call("losses", "reg_l1_loss", pred, target, np.zeros_like(mask), tensors=[0, 1, 2], grad=True)
    assert_close(out["out"], 0.0, atol=1e-7, what="reg_l1_loss with no centre in the mask (EPS keeps it 0, not 0 / 0)")
    assert_close(out["grads"].get("0", np.zeros_like(pred)), np.zeros_like(pred), atol=1e-7,
                 what="the gradient of reg_l1_loss with no centre in the mask")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=8, cuda=8)
@pytest.mark.parametrize("dice", [0.0, 0.5], ids=["cross_entropy", "with_dice"])
def test_seg_loss(call, rng, dice):
    logits = rng.normal(size=(2, 4, 5, 6)).astype(np.float32) * 2
    mask = rng.integers(0, 4, size=(2, 5, 6))
    out = call("losses", "seg_loss", logits, mask, tensors=[0, 1], grad=True, dice_weight=dice)
    value, (dlogits, _) = _with_grad(lambda l, m: ref_seg(l, m, dice), logits, mask)
    assert_close(out["out"], value, rtol=1e-4, what=f"seg_loss with dice_weight={dice}")
    assert_close(out["grads"].get("0"), dlogits, rtol=1e-3, atol=1e-6, what=f"the gradient of seg_loss (dice {dice})")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=8, cuda=8)
def test_multitask_loss(call, rng):
    pred, gt = _heatmaps(rng)
    mask = np.zeros((2, 8, 8), np.float32)
    mask[0, 2, 3] = mask[1, 5, 5] = mask[1, 7, 0] = 1
    outputs = {"heatmap": pred, "wh": rng.normal(size=(2, 2, 8, 8)).astype(np.float32) * 3,
               "offset": rng.uniform(0, 1, size=(2, 2, 8, 8)).astype(np.float32),
               "seg": rng.normal(size=(2, 4, 32, 32)).astype(np.float32)}
    targets = {"heatmap": gt, "wh": rng.uniform(1, 5, size=(2, 2, 8, 8)).astype(np.float32),
               "offset": rng.uniform(0, 1, size=(2, 2, 8, 8)).astype(np.float32), "reg_mask": mask,
               "mask": rng.integers(0, 4, size=(2, 32, 32))}
    weights = {"heatmap": 1.0, "wh": 0.1, "offset": 0.5, "seg": 2.0, "dice": 0.5}
    out = call("losses", "multitask_loss", outputs, targets, weights, tensors=[0, 1])["out"]
    t = {k: torch.as_tensor(v).double() if v.dtype != np.int64 else torch.as_tensor(v) for k, v in targets.items()}
    o = {k: torch.as_tensor(v).double() for k, v in outputs.items()}
    parts = {"heatmap": ref_focal(o["heatmap"], t["heatmap"]), "wh": ref_l1(o["wh"], t["wh"], t["reg_mask"]),
             "offset": ref_l1(o["offset"], t["offset"], t["reg_mask"]), "seg": ref_seg(o["seg"], t["mask"], 0.5)}
    total = sum(weights[k] * v for k, v in parts.items())
    assert isinstance(out, dict) and "total" in out, "multitask_loss should return a dict with a 'total'"
    for key, value in parts.items():
        assert_close(out.get(key), value.item(), rtol=1e-4, what=f"multitask_loss's '{key}' term (before weighting)")
    assert_close(out["total"], total.item(), rtol=1e-4, what=f"multitask_loss's total with weights {weights}")
    del weights["dice"]
    out = call("losses", "multitask_loss", outputs, targets, weights, tensors=[0, 1])["out"]
    parts["seg"] = ref_seg(o["seg"], t["mask"])
    total = sum(weights[k] * v for k, v in parts.items())
    assert isinstance(out, dict), "multitask_loss should return a dict"
    assert_close(out.get("seg"), parts["seg"].item(), rtol=1e-4,
                 what="multitask_loss's 'seg' term with no 'dice' weight (its default 0)")
    assert_close(out.get("total"), total.item(), rtol=1e-4, what=f"multitask_loss's total with weights {weights}")
