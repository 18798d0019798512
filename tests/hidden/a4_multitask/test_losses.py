"""Hidden tests for losses.py: values and gradients against judge-side float64 references. 8 points."""
import numpy as np
import pytest

import a4_reference as ref
from autograder.testing import assert_close, assert_rel_error


def _heatmap_pair(rng, shape, positives):
    pred = rng.uniform(0.02, 0.98, size=shape)
    target = rng.uniform(0, 0.95, size=shape) ** 2
    flat = target.reshape(-1)
    flat[rng.choice(flat.size, positives, replace=False)] = 1.0
    return pred, target


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
def test_focal_loss_values_and_gradient(submission, rng):
    for shape, positives in (((2, 3, 5, 6), 4), ((1, 2, 4, 4), 1)):
        pred, target = _heatmap_pair(rng, shape, positives)
        out = submission.probe("focal_loss", pred=pred, target=target)
        loss, grad = ref.focal_loss(pred, target)
        assert_close(out["loss"], loss, rtol=1e-6, what=f"focal_loss for {positives} centres")
        assert_rel_error(out["grad"], grad, 1e-6, what="focal_loss gradient with respect to the heatmap")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
def test_focal_loss_without_objects(submission, rng):
    pred = rng.uniform(0.02, 0.98, size=(1, 3, 4, 4))
    target = rng.uniform(0, 0.9, size=(1, 3, 4, 4))
    out = submission.probe("focal_loss", pred=pred, target=target)
    assert_close(out["loss"], ref.focal_loss(pred, target)[0], rtol=1e-6,
                 what="focal_loss when the target has no centre (divided by max(P, 1) = 1)")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
def test_reg_l1_loss_values_and_gradient(submission, rng):
    pred, target = rng.normal(size=(2, 2, 4, 5)), rng.normal(size=(2, 2, 4, 5))
    mask = (rng.uniform(size=(2, 4, 5)) < 0.3).astype(np.float64)
    out = submission.probe("reg_l1_loss", pred=pred, target=target, mask=mask)
    loss, grad = ref.reg_l1_loss(pred, target, mask)
    assert_close(out["loss"], loss, rtol=1e-6, what="reg_l1_loss")
    assert_rel_error(out["grad"], grad, 1e-6, what="reg_l1_loss gradient")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
def test_seg_loss_values_and_gradient(submission, rng):
    logits, mask = rng.normal(size=(2, 4, 5, 6)) * 2, rng.integers(0, 4, size=(2, 5, 6))
    for dice_weight in (0.0, 0.5):
        out = submission.probe("seg_loss", logits=logits, mask=mask, dice_weight=dice_weight)
        loss, grad = ref.seg_loss(logits, mask, dice_weight)
        assert_close(out["loss"], loss, rtol=1e-6, what=f"seg_loss with dice_weight {dice_weight}")
        assert_rel_error(out["grad"], grad, 1e-6, what=f"seg_loss gradient with dice_weight {dice_weight}")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
def test_multitask_loss_weighted_sum(submission, rng):
    N, C, h, w = 2, 3, 4, 4
    heat_pred, heat_target = _heatmap_pair(rng, (N, C, h, w), 3)
    outputs = {"heatmap": heat_pred, "wh": rng.normal(size=(N, 2, h, w)), "offset": rng.normal(size=(N, 2, h, w)),
               "seg": rng.normal(size=(N, C + 1, 4 * h, 4 * w))}
    targets = {"heatmap": heat_target, "wh": rng.normal(size=(N, 2, h, w)), "offset": rng.normal(size=(N, 2, h, w)),
               "reg_mask": (rng.uniform(size=(N, h, w)) < 0.3).astype(np.float64),
               "mask": rng.integers(0, C + 1, size=(N, 4 * h, 4 * w))}
    parts = {"heatmap": ref.focal_loss(heat_pred, heat_target)[0],
             "wh": ref.reg_l1_loss(outputs["wh"], targets["wh"], targets["reg_mask"])[0],
             "offset": ref.reg_l1_loss(outputs["offset"], targets["offset"], targets["reg_mask"])[0],
             "seg": ref.seg_loss(outputs["seg"], targets["mask"])[0]}
    weights = {"heatmap": 1.5, "wh": 0.2, "offset": 0.7, "seg": 2.0}
    out = submission.probe("multitask_loss", outputs=outputs, targets=targets, weights=weights)
    got = out["parts"] if isinstance(out["parts"], dict) else {}
    for key, value in parts.items():
        assert key in got, f"multitask_loss's parts have no {key!r}"
        assert_close(got[key], value, rtol=1e-6, what=f"multitask_loss part {key!r}")
    assert_close(out["total"], sum(weights[k] * parts[k] for k in parts), rtol=1e-6,
                 what="multitask_loss total with weights heatmap 1.5, wh 0.2, offset 0.7, seg 2.0")
