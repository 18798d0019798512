"""Judge-side scoring of predictions on labelled scenes: COCO mAP with pycocotools, mIoU from our own confusion matrix.

Runs in the judge only: it holds the labels. Predictions arrive as plain arrays from a probe and are
checked here (shapes, kinds, finiteness) before anything is computed from them.
"""
import contextlib
import io

import numpy as np
import pytest

from autograder.data.scenes import coco_dict

MAX_DETECTIONS = 100  # per image, COCO's maxDets


def _fail(message):
    __tracebackhide__ = True
    pytest.fail(message, pytrace=False)


def check_predictions(preds, n, size, num_classes):
    """The probe's per-image lists as arrays: boxes (N_i, 4) float64, scores (N_i,), labels (N_i,), masks (n, H, W)."""
    __tracebackhide__ = True
    boxes, scores, labels = preds.get("boxes"), preds.get("scores"), preds.get("labels")
    for name, value in (("boxes", boxes), ("scores", scores), ("labels", labels)):
        if not isinstance(value, list) or len(value) != n:
            _fail(f"predict returned {name} for {len(value) if isinstance(value, list) else 'no list of'} images; "
                  f"expected one entry for each of the {n} images")
    out_boxes, out_scores, out_labels = [], [], []
    for i, (b, s, l) in enumerate(zip(boxes, scores, labels)):
        b = np.asarray(b, dtype=np.float64)
        s = np.asarray(s, dtype=np.float64).reshape(-1)
        l = np.asarray(l)
        if b.size == 0:
            b = b.reshape(0, 4)
        if b.ndim != 2 or b.shape[1] != 4 or len(s) != len(b) or l.shape != (len(b),):
            _fail(f"predict's detections for image {i} have shapes boxes {b.shape}, scores {s.shape}, labels "
                  f"{l.shape}; expected (K, 4), (K,), (K,)")
        if not (np.isfinite(b).all() and np.isfinite(s).all()):
            _fail(f"predict's detections for image {i} contain NaN or infinite values")
        if l.size and (l.dtype.kind not in "iu" or l.min() < 0 or l.max() >= num_classes):
            _fail(f"predict's labels for image {i} are not integers 0..{num_classes - 1}")
        top = np.argsort(-s, kind="stable")[:MAX_DETECTIONS]
        out_boxes.append(b[top]), out_scores.append(s[top]), out_labels.append(l[top].astype(np.int64))
    masks = np.asarray(preds.get("masks"))
    if masks.shape != (n, size, size) or masks.dtype.kind not in "iu":
        _fail(f"predict's masks have shape {masks.shape} and dtype {masks.dtype}; expected integers ({n}, {size}, {size})")
    if masks.min() < 0 or masks.max() > num_classes:
        _fail(f"predict's masks hold classes outside 0..{num_classes}")
    return out_boxes, out_scores, out_labels, masks.astype(np.int64)


def coco_map(split, boxes, scores, labels):
    """(mAP@[.5:.95], mAP@0.5) of [x, y, w, h] detections on a labelled split, by pycocotools' COCOeval."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    detections = [{"image_id": int(image_id), "category_id": int(c) + 1, "bbox": [float(v) for v in box],
                   "score": float(s)}
                  for image_id, bs, ss, ls in zip(split["image_ids"], boxes, scores, labels)
                  for box, s, c in zip(bs, ss, ls)]
    if not detections:
        return 0.0, 0.0
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints its progress
        gt = COCO()
        gt.dataset = coco_dict(split)
        gt.createIndex()
        evaluation = COCOeval(gt, gt.loadRes(detections), iouType="bbox")
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    return max(float(evaluation.stats[0]), 0.0), max(float(evaluation.stats[1]), 0.0)


def judge_confusion(pred, target, num_classes):
    """Pixel confusion matrix, rows true, columns predicted (the judge's own, checked against scikit-learn's)."""
    pred, target = np.asarray(pred, np.int64).ravel(), np.asarray(target, np.int64).ravel()
    return np.bincount(num_classes * target + pred, minlength=num_classes ** 2).reshape(num_classes, num_classes)


def judge_miou(conf):
    """Mean IoU over the classes present in the target or the prediction."""
    conf = np.asarray(conf, dtype=np.float64)
    inter = np.diag(conf)
    union = conf.sum(0) + conf.sum(1) - inter
    return float(np.mean(inter[union > 0] / union[union > 0]))
