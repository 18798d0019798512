"""Hidden tests for train.py's helpers: to_tensor, validation_split, forgery_loss and both predict functions
(with a stand-in model, so that each is graded on its own). 12 points."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.authoring import assert_close, assert_equal


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
def test_to_tensor(call, rng):
    images = rng.integers(0, 256, size=(2, 5, 7, 3), dtype=np.uint8)
    out = call("train", "to_tensor", images)["out"]
    assert_close(out, images.transpose(0, 3, 1, 2) / 255.0, rtol=1e-6,
                 what="to_tensor: (N, H, W, 3) uint8 -> (N, 3, H, W) float in 0..1")
    assert np.asarray(out).dtype == np.float32, f"to_tensor's dtype is {np.asarray(out).dtype}; expected float32"


PHOTOS = np.array(["cat", "sky", "cat", "sea", "road", "sky", "tree", "cat", "sea", "road", "hill", "tree"] * 3)


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
@pytest.mark.parametrize("fraction,seed", [(0.2, 0), (0.5, 3)])
def test_validation_split_by_photograph(call, fraction, seed):
    train, val = (np.asarray(part, dtype=np.int64)
                  for part in call("train", "validation_split", PHOTOS.tolist(), fraction=fraction, seed=seed)["out"])
    assert_equal(np.sort(np.concatenate([train, val])), np.arange(len(PHOTOS)),
                 what="train and validation indices together (each patch exactly once)")
    assert (np.diff(train) > 0).all() and (np.diff(val) > 0).all(), "indices should be in increasing order"
    held = set(PHOTOS[val])
    assert not held & set(PHOTOS[train]), f"photos {sorted(held & set(PHOTOS[train]))} are on both sides"
    expected = max(1, round(fraction * 6))
    assert len(held) == expected, f"{len(held)} photos held out with fraction {fraction} of 6; expected {expected}"
    again = call("train", "validation_split", PHOTOS.tolist(), fraction=fraction, seed=seed)["out"]
    assert_equal(np.asarray(again[1]), val, what="validation_split twice with the same seed")


def _outputs(rng, n=3, H=6, W=5):
    return {"score": rng.normal(size=n), "mask": rng.normal(size=(n, 1, H, W)) * 2}


def ref_loss(score, mask, labels, masks, mask_weight, pos_weight):
    pixels = F.binary_cross_entropy_with_logits(mask[:, 0], masks, pos_weight=torch.tensor(pos_weight, dtype=masks.dtype))
    return F.binary_cross_entropy_with_logits(score, labels) + mask_weight * pixels


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
@pytest.mark.parametrize("mask_weight,pos_weight", [(1.0, 5.0), (0.3, 2.0)])
def test_forgery_loss(call, rng, mask_weight, pos_weight):
    outputs = _outputs(rng)
    labels = np.array([1.0, 0.0, 1.0])
    masks = (rng.uniform(size=(3, 6, 5)) < 0.3).astype(np.float64)
    masks[1] = 0
    kwargs = {"mask_weight": mask_weight} if pos_weight == 5.0 else {"mask_weight": mask_weight, "pos_weight": pos_weight}
    out = call("train", "forgery_loss", outputs, labels, masks, tensors=[0, 1, 2], grad=True, **kwargs)
    score = torch.tensor(outputs["score"], requires_grad=True)
    mask = torch.tensor(outputs["mask"], requires_grad=True)
    value = ref_loss(score, mask, torch.tensor(labels), torch.tensor(masks), mask_weight, pos_weight)
    value.backward()
    assert_close(out["out"], value.item(), rtol=1e-5, what="forgery_loss (BCE on the logits: scores, plus mask_weight x pixels with pos_weight)")
    grads = out["grads"].get("0")
    assert grads is not None, "forgery_loss's value should be differentiable with respect to the outputs"
    assert_close(grads["score"], score.grad.numpy(), rtol=1e-4, atol=1e-7, what="forgery_loss's gradient (scores)")
    assert_close(grads["mask"], mask.grad.numpy(), rtol=1e-4, atol=1e-7, what="forgery_loss's gradient (pixels)")


@pytest.mark.points(3)
@pytest.mark.budget(cpu=10, cuda=5)
def test_predict_forgery_conversions(submission, rng):
    n = 300   # more than one batch of predict's default
    images = rng.integers(0, 256, size=(n, 8, 8, 3), dtype=np.uint8)
    outputs = {"score": rng.normal(size=n) * 3, "mask": rng.normal(size=(n, 1, 8, 8)) * 3}
    out = submission.probe("predict_fixed", task="forgery", outputs=outputs, images=images)
    result = out["result"]
    assert isinstance(result, dict) and set(result) >= {"score", "mask"}, "predict_forgery returns a dict score, mask"
    assert_close(result["score"], 1 / (1 + np.exp(-outputs["score"])), rtol=1e-5, atol=1e-6,
                 what="predict_forgery's scores (the sigmoid of the logits, in input order)")
    assert_close(result["mask"], 1 / (1 + np.exp(-outputs["mask"][:, 0])), rtol=1e-5, atol=1e-6,
                 what="predict_forgery's masks (the sigmoid of the pixel logits, shape (N, H, W))")
    assert all(out["eval_mode"]), "predict_forgery must call the model in eval mode"
    assert_close(out["first_input"][0], images[0].transpose(2, 0, 1) / 255.0, rtol=1e-6,
                 what="what predict_forgery feeds the model (to_tensor of the images)")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=10, cuda=5)
def test_predict_generated_conversions(submission, rng):
    n = 270
    images = rng.integers(0, 256, size=(n, 8, 8, 3), dtype=np.uint8)
    logits = rng.normal(size=n) * 3
    out = submission.probe("predict_fixed", task="generated", outputs=logits, images=images)
    assert_close(out["result"], 1 / (1 + np.exp(-logits)), rtol=1e-5, atol=1e-6,
                 what="predict_generated (the sigmoid of the logits, in input order)")
    assert all(out["eval_mode"]), "predict_generated must call the model in eval mode"
