"""Every reference trains with operators that repeat on CUDA, so each assignment's "same seed, same model"
contract holds on a GPU as it does here.

A CUDA grade runs its workers under torch.use_deterministic_algorithms(True, warn_only=True) with TF32 off
(autograder.worker.cuda). That makes cuDNN convolutions, index_add and scatter_add repeat, but some operators
have no deterministic CUDA kernel at all. This test runs each reference's own training for one short epoch on
the CPU, records every ATen operator it calls (backward included), and checks none is one of those.

What each assignment's determinism tests therefore state:
- A2 (`fit` twice, weights equal), A3 (`train` twice, weights equal): bit for bit, on CPU and CUDA.
- A4 (`train_twice`, outputs within 1e-5) and A5 (`train_twice`, within 1e-5): the same tolerance on CUDA. Their
  references upsample with `upsample_bilinear` (model.py), a fixed transposed convolution, because the backward
  of F.interpolate's bilinear mode has none; a student model that uses it is told so when the contract fails.
"""

import json
import subprocess
import sys

import pytest

from autograder import assignments

# ATen operators without a deterministic CUDA kernel (torch.use_deterministic_algorithms' list, torch 2.13),
# by name prefix: the backward passes that add with atomics, and the reductions that do.
NO_DETERMINISTIC_CUDA_KERNEL = (
    "aten.upsample_linear1d_backward", "aten.upsample_bilinear2d_backward", "aten.upsample_bicubic2d_backward",
    "aten.upsample_trilinear3d_backward", "aten._upsample_bilinear2d_aa_backward",
    "aten._upsample_bicubic2d_aa_backward", "aten.avg_pool3d_backward", "aten._adaptive_avg_pool2d_backward",
    "aten._adaptive_avg_pool3d_backward", "aten.adaptive_max_pool2d_backward",
    "aten.fractional_max_pool2d_backward", "aten.fractional_max_pool3d_backward", "aten.max_unpool2d",
    "aten.max_unpool3d", "aten.reflection_pad1d_backward", "aten.reflection_pad2d_backward",
    "aten.reflection_pad3d_backward", "aten.nll_loss2d_forward", "aten._ctc_loss_backward",
    "aten.embedding_bag", "aten._embedding_bag", "aten.put_", "aten.histc", "aten.bincount", "aten.median.dim",
    "aten.grid_sampler_2d_backward", "aten.grid_sampler_3d_backward", "aten.cumsum", "aten.kthvalue",
    "aten.scatter_reduce",
)

# One short training of each reference on made-up data, run inside its solution folder.
TRAININGS = {
    "a2": """
from train import train_gru, train_lenet
train_lenet(rng.integers(0, 256, (16, 28, 28)).astype(np.uint8), rng.integers(0, 10, 16), epochs=1, batch_size=8)
train_gru(rng.normal(size=(16, 34)), rng.integers(0, 2, 16), epochs=1, batch_size=8)
""",
    "a3": """
import torch
from compare import make_resnet, make_vit, train
X, y = torch.randn(16, 1, 28, 28), rng.integers(0, 10, 16)
train(make_resnet(), X, y, epochs=1, batch_size=8)
train(make_vit(), X, y, epochs=1, batch_size=8)
""",
    "a4": """
from autograder.data.scenes import make_scenes
from train import train_multitask
train_multitask(make_scenes(8, seed=0), epochs=1, batch_size=4)
""",
    "a5": """
from train import train_forgery, train_generated
images = rng.integers(0, 256, (8, 64, 64, 3)).astype(np.uint8)
labels = np.array([0, 1] * 4)
train_forgery({"images": images, "labels": labels, "masks": rng.random((8, 64, 64)) < 0.2,
               "photos": np.arange(8)}, epochs=1, batch_size=4)
train_generated({"images": images, "labels": labels, "photos": np.arange(8)}, epochs=1, batch_size=4)
""",
}
RUNNER = """
import json, sys
import numpy as np
from autograder.worker.optrace import record_ops
rng = np.random.default_rng(0)
with record_ops() as ops:
    exec(sys.argv[1])
print(json.dumps(sorted(op for op in ops if op.startswith("aten."))))
"""


@pytest.mark.parametrize("assignment_id", sorted(TRAININGS))
def test_reference_training_uses_only_operators_that_repeat_on_cuda(assignment_id):
    assignment = assignments.find(assignment_id)
    done = subprocess.run([sys.executable, "-c", RUNNER, TRAININGS[assignment_id]], cwd=assignment.solution,
                          capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(assignment.solution), "OMP_NUM_THREADS": "1", "PATH": "/usr/bin"})
    assert done.returncode == 0, done.stderr[-3000:]
    ops = json.loads(done.stdout.strip().splitlines()[-1])
    assert "aten.convolution_backward.default" in ops or assignment_id == "a2"   # the backward pass was recorded
    unrepeatable = [op for op in ops if op.startswith(NO_DETERMINISTIC_CUDA_KERNEL)]
    assert unrepeatable == [], f"{assignment.name}'s reference runs {unrepeatable}: no deterministic CUDA kernel"


def test_the_audit_catches_bilinear_upsampling():
    code = ("import torch, torch.nn.functional as F\n"
            "x = torch.randn(1, 2, 4, 4, requires_grad=True)\n"
            "F.interpolate(x, scale_factor=2, mode='bilinear').sum().backward()\n")
    done = subprocess.run([sys.executable, "-c", RUNNER, code], capture_output=True, text=True, timeout=120)
    ops = json.loads(done.stdout.strip().splitlines()[-1])
    assert [op for op in ops if op.startswith(NO_DETERMINISTIC_CUDA_KERNEL)] == ["aten.upsample_bilinear2d_backward.default"]
