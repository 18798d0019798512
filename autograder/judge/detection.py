"""Judge-side scoring of assignment 4's predictions: COCO mAP with pycocotools, mIoU from a confusion matrix."""
import contextlib
import io

import numpy as np

from autograder.data.scenes import coco_dataset


def coco_map(scenes, predictions):
    """
    (mAP@0.5, mAP@[.5:.95]) of `predictions` against the scenes' boxes, by pycocotools' COCOeval (all areas,
    up to 100 detections per image). predictions: one dict per scene with boxes (D, 4) COCO [x, y, w, h],
    scores (D,) and labels (D,) classes 1..3.
    """
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval
    detections = [{"image_id": i + 1, "category_id": int(label), "bbox": [float(v) for v in box],
                   "score": float(score)}
                  for i, p in enumerate(predictions)
                  for box, score, label in zip(np.reshape(p["boxes"], (-1, 4)), p["scores"], p["labels"])]
    if not detections:
        return 0.0, 0.0
    with contextlib.redirect_stdout(io.StringIO()):
        truth = COCO()
        truth.dataset = coco_dataset(scenes)
        truth.createIndex()
        evaluation = COCOeval(truth, truth.loadRes(detections), "bbox")
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    return float(max(evaluation.stats[1], 0.0)), float(max(evaluation.stats[0], 0.0))


def confusion(pred, target, num_classes):
    """conf[i, j]: pixels of true class i predicted as j (pred values outside 0..K-1 count as wrong)."""
    pred, target = np.asarray(pred, np.int64).ravel(), np.asarray(target, np.int64).ravel()
    pred = np.where((pred >= 0) & (pred < num_classes), pred, num_classes)
    counts = np.bincount(target * (num_classes + 1) + pred, minlength=num_classes * (num_classes + 1))
    return counts.reshape(num_classes, num_classes + 1)[:, :num_classes]


def miou(pred_masks, true_masks, num_classes):
    """Mean IoU over the classes present in the truth or the prediction (a wrong value counts as a miss)."""
    conf = confusion(pred_masks, true_masks, num_classes).astype(np.float64)
    tp = np.diag(conf)
    false_neg = np.bincount(np.asarray(true_masks, np.int64).ravel(), minlength=num_classes)[:num_classes] - tp
    union = conf.sum(axis=0) + false_neg
    present = union > 0
    return float(np.mean(tp[present] / union[present]))
