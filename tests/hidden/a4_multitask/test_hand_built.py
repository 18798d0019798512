"""Hidden tests: IoU, NMS and decoding are written by hand, and nothing pretrained is loaded. 2 points.

The static scan of the files (autograder.judge.forbidden: every [[forbidden]] group of assignment.toml, torchvision's
box operations, the pretrained loaders, PyTorch's internals and the grader's own cost counters among them),
then the operators the NMS and decode probes ran (autograder.worker.optrace).
"""
import numpy as np
import pytest

FILES = ["model.py", "targets.py", "losses.py", "postprocess.py", "metrics.py", "train.py"]


@pytest.mark.points(2)
@pytest.mark.budget(cpu=8, cuda=8)
def test_box_ops_hand_built(submission, hand_built):
    for relpath in FILES:
        hand_built.source(relpath, f"{relpath} (box operations by hand, models from scratch)")
    out = submission.probe("box_ops_traced", boxes=np.array([[0, 0, 4, 4], [1, 1, 4, 4]], np.float32),
                           scores=np.array([0.9, 0.8], np.float32))
    hand_built.ops(out, "nms and decode")
