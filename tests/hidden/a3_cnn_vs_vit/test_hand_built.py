"""Hidden tests: attention and the transformer are written by hand, and nothing pretrained is loaded. 4 points.

Two checks each: the static scan of the files for forbidden names (autograder.judge.forbidden: direct calls,
import aliases, getattr with a constant name; every [[forbidden]] group of assignment.toml, the pretrained
loaders included), then the operators a probe ran under record_ops() (autograder.worker.optrace: catches a name
built at run time, e.g. F.scaled_dot_product_attention reached through a computed string; it shows as
torch.nn.functional.scaled_dot_product_attention, or as aten._scaled_dot_product_* / aten._safe_softmax).
The value tests of the attention, the encoder layer and the ViT apply the same checks to their files.
"""
import numpy as np
import pytest


@pytest.mark.points(2)
@pytest.mark.budget(cpu=8, cuda=8)
def test_vit_hand_built(submission, rng, hand_built):
    hand_built.source("cs231n/transformer_layers.py", "The transformer layers")
    hand_built.source("cs231n/classifiers/transformer.py", "The Vision Transformer")
    hand_built.source("compare.py", "compare.py (models trained from scratch)")
    out = submission.probe("forward_model", arch="vit", x=rng.normal(size=(2, 1, 28, 28)).astype(np.float32), seed=0)
    hand_built.ops(out, "make_vit()'s model (forward and backward, train mode)")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=8, cuda=8)
def test_resnet_hand_built(submission, rng, hand_built):
    hand_built.source("resnet.py", "The ResNet")
    hand_built.source("compare.py", "compare.py (models trained from scratch)")
    out = submission.probe("forward_model", arch="resnet", x=rng.normal(size=(2, 1, 28, 28)).astype(np.float32), seed=0)
    hand_built.ops(out, "make_resnet()'s model (forward and backward, train mode)")
