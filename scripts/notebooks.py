"""Write the nbgrader source notebook of each assignment, solutions/<name>/<id>.ipynb (then `autograder stubs`).

    .venv/bin/python scripts/notebooks.py [aN ...]

Each notebook: an intro, experiment cells that import the student's modules (short, offline), written
questions as nbgrader manually graded answer cells (a locked prompt, then the answer with a model answer between
the solution markers), and one locked `autograder_<group>` cell per hidden-test file, worth that file's points
as pytest collects them (autograder.course.nbgrader.hidden_groups). Those cells raise: their points come from
`autograder batch aN COURSE_DIR --nbgrader`, never from nbgrader running the notebook. Run this again when a
hidden test's points change; tests/engine/test_nbgrader_course.py fails until then.
"""

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder import assignments  # noqa: E402
from autograder.course.nbgrader import CELL_PREFIX, hidden_groups, source_notebook  # noqa: E402

GRADING = """
**How this notebook is graded.** The code points come from the hidden tests, which the course autograder runs on
your files (not on this notebook), in a sandbox; the read-only cells at the end stand for them, one per part.
The written answers are graded by hand. Run the cells from the top in your copy of the assignment folder;
`autograder check {id}` runs the public tests.
"""

NOTEBOOKS = {}

NOTEBOOKS["a1"] = dict(
    intro="""# Assignment 1: image classification pre-test

Try your k-nearest-neighbour, linear and two-layer classifiers on the scikit-learn digits (8x8 images, 65
features with the bias column), then answer the two questions.
""",
    code=[
        '''import sys
import time
import types

import numpy as np

import classifiers
from autograder.data import load_digits_split
from autograder.authoring import rel_error

# linear_classifier.py imports the course's package name, cs231n.classifiers: let it name this folder.
sys.modules.setdefault("cs231n", types.ModuleType("cs231n")).classifiers = classifiers
sys.modules.setdefault("cs231n.classifiers", classifiers)

d = load_digits_split()
mean = (d["X_train"] / 16).mean(axis=0)  # (64,)

def features(X):
    return np.hstack([X / 16 - mean, np.ones((len(X), 1))])  # (N, 65)

X_train, X_val, y_train, y_val = features(d["X_train"]), features(d["X_val"]), d["y_train"], d["y_val"]
print(X_train.shape, X_val.shape)''',
        '''from classifiers.k_nearest_neighbor import KNearestNeighbor

knn = KNearestNeighbor()
knn.train(X_train, y_train)
dists = knn.compute_distances_no_loops(X_val)  # (200, 1197)
for name in ("compute_distances_two_loops", "compute_distances_one_loop", "compute_distances_no_loops"):
    start = time.perf_counter()
    d50 = getattr(knn, name)(X_val[:50])
    print(f"{name:28s} {time.perf_counter() - start:6.3f} s, largest difference {np.abs(d50 - dists[:50]).max():.1e}")
for k in (1, 3, 5, 10, 50):
    print(f"k = {k:2d}: validation accuracy {np.mean(knn.predict_labels(dists, k=k) == y_val):.3f}")''',
        '''from classifiers.linear_svm import svm_loss_naive, svm_loss_vectorized
from classifiers.softmax import softmax_loss_naive, softmax_loss_vectorized

W = 1e-3 * np.random.default_rng(0).standard_normal((65, 10))  # (D, C)
for name, naive, vectorized in (("SVM", svm_loss_naive, svm_loss_vectorized),
                                ("softmax", softmax_loss_naive, softmax_loss_vectorized)):
    loss_n, dW_n = naive(W, X_train[:100], y_train[:100], 0.1)
    loss_v, dW_v = vectorized(W, X_train[:100], y_train[:100], 0.1)
    print(f"{name}: loss {loss_v:.4f}; naive vs vectorised: loss {abs(loss_n - loss_v):.1e}, "
          f"dW {rel_error(dW_n, dW_v):.1e}")''',
        '''from classifiers.linear_classifier import LinearSVM, Softmax

for model, learning_rate in ((LinearSVM(), 0.3), (Softmax(), 1.0)):
    np.random.seed(0)
    history = model.train(X_train, y_train, learning_rate=learning_rate, reg=1e-3, num_iters=1000, batch_size=200)
    accuracy = np.mean(model.predict(X_val) == y_val)
    print(f"{type(model).__name__}: loss {history[0]:.3f} -> {history[-1]:.3f}, validation accuracy {accuracy:.3f}")''',
        '''from classifiers.neural_net import TwoLayerNet

np.random.seed(0)
net = TwoLayerNet(65, 64, 10, std=0.1)
stats = net.train(X_train, y_train, X_val, y_val, learning_rate=1.0, learning_rate_decay=0.99, reg=1e-3,
                  num_iters=1000, batch_size=200)
print(f"TwoLayerNet: loss {stats['loss_history'][0]:.3f} -> {stats['loss_history'][-1]:.3f}, "
      f"validation accuracy {np.mean(net.predict(X_val) == y_val):.3f}")''',
    ],
    questions=[
        ("q1_choosing_k", 3, """**Question 1 (3 points).** Which k gave the best validation accuracy above? Why can
k = 1 do worse than a larger k, and why does a very large k get worse again? Why is k chosen on the validation
split and not on the test split?""",
         """k = 1 copies the label of one training digit, so a single mislabelled or unusual neighbour decides the
prediction: no training error, high variance. A larger k lets a neighbourhood vote and smooths the decision
boundary. When k approaches the number of training digits per class (about 120 here), the neighbourhood
reaches into other classes and the vote drifts towards the most common labels: the bias grows. k is a
hyperparameter: choosing it on the test split would fit it to those 400 digits and make the test accuracy an
optimistic estimate; the validation split exists to be used up by such choices."""),
        ("q2_initial_loss", 2, """**Question 2 (2 points).** With a small random W the softmax loss is close to
log(10) = 2.303 and the SVM loss close to 9. Explain both numbers, and what a very different first loss would
tell you.""",
         """With W near 0 all ten scores are nearly equal. Softmax then gives every class a probability of about
1/10, and the cross-entropy of the correct class is -log(1/10) = log(10). For the SVM each of the 9 wrong
classes has a margin of about s_j - s_y + 1 = 1, so the loss is about 9; the regularisation term is tiny. A first
loss far from these numbers points at a bug (a wrong axis, a missing mean, a margin of the wrong sign)."""),
    ],
)

NOTEBOOKS["a2"] = dict(
    intro="""# Assignment 2: LeNet-5 and a GRU, built by hand in PyTorch

Check your layers against PyTorch's own (in scratch code like this you may call them), count LeNet-5's
parameters, compare your GRU cell with `nn.GRUCell`, and train the Ionosphere GRU once. Then answer the two
questions.
""",
    code=[
        '''import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)''',
        '''from layers import AvgPool2d, Conv2d, MaxPool2d

conv = Conv2d(3, 4, kernel_size=3, stride=2, padding=1)
x = torch.randn(2, 3, 9, 9)
reference = F.conv2d(x, conv.weight, conv.bias, stride=2, padding=1)
print("Conv2d", tuple(conv(x).shape), "largest difference", (conv(x) - reference).abs().max().item())
print("MaxPool2d largest difference", (MaxPool2d(2)(x) - F.max_pool2d(x, 2)).abs().max().item())
print("AvgPool2d largest difference", (AvgPool2d(3, 2)(x) - F.avg_pool2d(x, 3, 2)).abs().max().item())''',
        '''from lenet import LeNet5

net = LeNet5()
print("LeNet5 output", tuple(net(torch.zeros(1, 1, 32, 32)).shape), "with",
      f"{sum(p.numel() for p in net.parameters()):,} parameters (61,706 expected)")''',
        '''from gru import GRUCell

cell, reference = GRUCell(2, 8), nn.GRUCell(2, 8)
reference.load_state_dict(cell.state_dict())
x, h = torch.randn(5, 2), torch.randn(5, 8)
print("GRUCell largest difference from nn.GRUCell", (cell(x, h) - reference(x, h)).abs().max().item())''',
        '''import train
from autograder.data import ionosphere_split

data = ionosphere_split()
X, y = data["X_train"], data["y_train"]
model = train.train_gru(X[:150], y[:150], seed=0)  # a few seconds; rows 150-199 kept for validation
print("IonosphereGRU validation accuracy", np.mean(train.predict_gru(model, X[150:]) == y[150:]))''',
    ],
    questions=[
        ("q1_pooling_gradients", 3, """**Question 1 (3 points).** Max pooling sends the gradient of each window to
one element only. Why? What does average pooling do instead, and what does that mean for the filters of the
convolution before a max-pool while the network trains?""",
         """The maximum of a window depends, locally, on one input only: moving any other element a little does not
change the output, so its partial derivative is 0 and the whole gradient goes to the element that held the
maximum (ties broken as PyTorch does). Average pooling's output depends on every element with weight 1/K^2, so
each gets 1/K^2 of the gradient. Before a max-pool only the filter responses that won their window are
updated in a step; the others get no signal from that window, which makes max-pooled features sparse and
selective, while average pooling spreads the update over all positions."""),
        ("q2_gru_gates", 3, """**Question 2 (3 points).** `IonosphereGRU` reads a radar return as 17 steps of 2
features. Why 2 features a step? What do the update gate z and the reset gate r let the network do that a plain
recurrent network cannot?""",
         """Each of the 17 pulses is one complex number, stored as two attributes (real and imaginary parts), so a
step is one pulse and the sequence runs over time. z decides, per unit, how much of the old state to keep
(h' = (1 - z) n + z h): with z near 1 the state, and its gradient, pass through many steps almost unchanged, so
the network can remember early pulses and train without vanishing gradients. r decides how much of the old
state enters the candidate n, so the network can ignore the past when a new pattern starts. A plain RNN
overwrites its whole state through a tanh at every step and cannot do either selectively."""),
    ],
)

NOTEBOOKS["a3"] = dict(
    intro="""# Assignment 3: ResNet vs Vision Transformer, compared fairly

Measure your two models (parameters, FLOPs, throughput), train both briefly with the same recipe, look at how
each depends on the amount of data, and write up the comparison.
""",
    code=[
        '''import numpy as np
import torch

import compare
from autograder.data import mnist_5k_train

data = mnist_5k_train()   # the 4,000 training digits: the 1,000 graded ones stay with the grader
X_all, y_all = compare.prepare_images(data["X_train"]), data["y_train"]  # (4000, 1, 28, 28)
X, y = X_all[:3000], y_all[:3000]                # train on these,
X_test, y_test = X_all[3000:], y_all[3000:]      # measure on 1,000 digits the models never saw
models = {"ResNet": compare.make_resnet, "ViT": compare.make_vit}''',
        '''for name, make in models.items():
    model = make()
    print(f"{name}: {compare.count_parameters(model):,} parameters, "
          f"{compare.count_flops(model, (1, 28, 28)):,} FLOPs per digit, "
          f"{compare.throughput(model, (1, 28, 28)):,.0f} digits per second")''',
        '''# Test accuracy after training on the first 250 and 500 digits with your train defaults (a few seconds
# on one CPU core); the graded runs train on 1,000 and all 4,000.
for name, make in models.items():
    table = compare.data_efficiency(make, X, y, X_test, y_test, sizes=(250, 500), seed=0)
    print(name, {n: round(accuracy, 3) for n, accuracy in table.items()})''',
    ],
    questions=[
        ("q1_resnet_vs_vit", 10, """**The comparison (10 points).** Write up the comparison of your two models with
your own figures (the cells above, and a full run: 4,000 training digits, your defaults). Cover: (a) test
accuracy with 4,000 and with 1,000 training digits; (b) parameters and FLOPs per digit, and how a model with
more parameters can need fewer FLOPs; (c) throughput, and whether FLOPs predict it; (d) the inductive biases
that explain the gap, and why it widens when data is scarce; (e) what would have to change for the ViT to win.""",
         """(a) Reference figures: ResNet((1, 1, 1), width=8) reaches 0.963 with 4,000 digits and 0.751 with 1,000;
the ViT (patch 7, E = 64, 3 layers, 4 heads) 0.855 and 0.515. The ResNet leads by 0.11 at 4,000 and by 0.24 at
1,000.
(b) The ViT has about 104k parameters against the ResNet's 20k but needs fewer FLOPs (3.4 M against 4.7 M per
digit): its weights are applied to 16 patch tokens, while each convolution filter is small but applied at
every one of hundreds of positions. Parameters measure memory and capacity, FLOPs measure work per image.
(c) The ViT trains and infers faster per epoch here: its work is a few large matrix products, which a CPU runs
efficiently, while small convolutions with few channels use the hardware less well. FLOPs predict throughput
only roughly; memory traffic and kernel efficiency matter as much.
(d) Convolution builds in locality (nearby pixels belong together) and translation equivariance (a stroke means
the same anywhere); a ViT must learn both from data, beyond the grouping into patches, through attention
that at first treats every patch pair alike. With 1,000 digits there is too little data to learn those priors,
so the gap widens.
(e) Much more data, strong augmentation, or pre-training on a large dataset (as in Dosovitskiy et al.), and
probably longer training with regularisation; smaller patches help on small images at a higher cost."""),
    ],
)

NOTEBOOKS["a4"] = dict(
    intro="""# Assignment 4: low-power multi-task learning

Look at what a depthwise-separable block saves, check your network's outputs, its cost (parameters, MACs, a
batch-1 latency on this machine) and CenterNet's targets on the worked example and on a real scene, then write
up the efficiency trade-off.
""",
    code=[
        '''import time

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

import postprocess
import targets
from autograder.data.scenes import scene_split
from model import DepthwiseSeparable, MultiTaskNet

def count(module):
    return sum(p.numel() for p in module.parameters())

block, full = DepthwiseSeparable(32, 64), torch.nn.Conv2d(32, 64, 3, padding=1, bias=False)
print(f"DepthwiseSeparable(32, 64): {count(block):,} parameters; a full 3x3 convolution: {count(full):,}")''',
        '''net = MultiTaskNet().eval()
x = torch.zeros(1, 3, 64, 64)
with torch.no_grad(), FlopCounterMode(display=False) as counter:
    out = net(x)
print({name: tuple(value.shape) for name, value in out.items()})
print(f"{count(net):,} parameters, {counter.get_total_flops() // 2:,} MACs per 64x64 image")
with torch.no_grad():
    net(x)
    start = time.perf_counter()
    for _ in range(50):
        net(x)
print(f"batch-1 latency {(time.perf_counter() - start) / 50 * 1e3:.2f} ms on this machine (untrained, not scaled)")''',
        '''t = targets.build_targets(np.array([[10.0, 12.0, 20.0, 16.0]]), np.array([1]), (16, 16), num_classes=3)
peak = [int(i) for i in np.unravel_index(t["heatmap"][0].argmax(), (16, 16))]
print(f"gaussian_radius(4, 5) = {targets.gaussian_radius(4, 5):.2f}; peak at cell (y, x) = {peak}; "
      f"wh {t['wh'][:, 5, 5]}, offset {t['offset'][:, 5, 5]}")''',
        '''val = scene_split("val")
boxes, labels = val["boxes"][0], val["labels"][0]
t = targets.build_targets(boxes, labels, (16, 16), num_classes=3)
found = postprocess.decode({k: torch.from_numpy(t[k])[None] for k in ("heatmap", "wh", "offset")}, threshold=0.5)[0]
print(f"first validation scene: {len(boxes)} object(s), {len(found['boxes'])} decoded from its own targets")''',
    ],
    questions=[
        ("q1_efficiency_tradeoff", 8, """**The efficiency trade-off (8 points).** Train your model
(`train.train_multitask(scene_split("train"))`, see the README) and report its mAP@0.5, mIoU, parameters, MACs
and batch-1 latency on the validation scenes. Which design choices (width, number of blocks, depthwise-separable
blocks, the resolution of the heads, the Dice term) trade accuracy for cost, and by how much did the ones you
tried move the figures? Why does a depthwise-separable block cost about 1/9 + 1/C_out of a full 3x3 convolution,
and why does batch-1 latency on a CPU fall less than MACs do?""",
         """Reference: width 16 gives mAP@0.5 about 0.80 and mIoU about 0.75 with 16,811 parameters, 3.90 M MACs and
about 2 ms at batch 1. Halving the width cuts parameters and MACs by about 4 (both scale with the square of the
width) but costs several points of mAP and mIoU, enough to fall under the qualification line; doubling it costs
4x for a point or two. Removing the Dice term saves nothing and loses about 5 points of mIoU; a stride-8
detection head would cut MACs but miss small shapes.
A full 3x3 convolution from C_in to C_out costs 9 C_in C_out multiply-adds per pixel; the depthwise 3x3 costs
9 C_in and the pointwise 1x1 C_in C_out, so the ratio is (9 C_in + C_in C_out) / (9 C_in C_out) = 1/C_out + 1/9.
At batch 1 on a CPU a small network is bound by per-layer overheads (operator dispatch, memory traffic,
BatchNorm and activations), not arithmetic: depthwise convolutions do little work per byte moved and run at a
fraction of peak, so latency falls much less than the MAC count."""),
    ],
)

NOTEBOOKS["a5"] = dict(
    intro="""# Assignment 5: image forgery detection

Check the forensic cues on images whose answer is known (SRM residuals, the Bayar constraint, error level
analysis of a pasted square, the spectrum of a checkerboard) and the shapes of your networks, then study where
your trained detector fails.
""",
    code=[
        '''import io

import numpy as np
import torch
from PIL import Image

import filters
import spectrum
from model import ForgeryNet, GeneratedImageDetector

srm = filters.SRMConv2d()
grey = torch.full((1, 3, 16, 16), 0.5)
print("SRM kernels", filters.srm_kernels().shape, "; SRM of a constant image away from the corners:",
      srm(grey)[0, :, 2:-2, 2:-2].abs().max().item())
bayar = filters.BayarConv2d(3, 3, 5)
w = bayar.weight.detach()
print("Bayar centre weights", w[:, :, 2, 2].flatten().tolist()[:3], "; the others sum to",
      (w.sum(dim=(2, 3)) - w[:, :, 2, 2]).flatten().tolist()[:3])''',
        '''rng = np.random.default_rng(0)
smooth = np.array(Image.fromarray(rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)).resize((64, 64), Image.BILINEAR))
buffer = io.BytesIO()
Image.fromarray(smooth).save(buffer, format="JPEG", quality=75)
image = np.array(Image.open(buffer))
image[20:44, 20:44] = smooth[20:44, 20:44]  # a never-compressed square pasted in
inside = np.zeros((64, 64), bool)
inside[20:44, 20:44] = True
ela = filters.error_level(image, 90)
print(f"ELA at quality 90: {ela[inside].mean():.2f} inside the pasted square, {ela[~inside].mean():.2f} outside")''',
        '''checker = (np.indices((64, 64)).sum(axis=0) % 2 * 255).astype(np.uint8)
images = np.stack([np.full((64, 64, 3), 100, np.uint8), np.repeat(checker[:, :, None], 3, axis=2)])
profile = spectrum.spectral_features(images)  # (2, 46)
print(profile.shape, "; constant image, ring 0:", profile[0, 0].round(2), "; checkerboard, ring 45:",
      profile[1, 45].round(2))''',
        '''with torch.no_grad():
    out = ForgeryNet().eval()(torch.zeros(2, 3, 64, 64))
    generated = GeneratedImageDetector().eval()(torch.zeros(2, 3, 64, 64))
print({name: tuple(value.shape) for name, value in out.items()}, tuple(generated.shape))''',
    ],
    questions=[
        ("q1_failure_cases", 8, """**Failure cases (8 points).** Train your `ForgeryNet` with one photograph held out
(`train.validation_split`, see the README) and look at the held-out patches it gets most wrong: the forged ones
with the lowest scores and the authentic ones with the highest. Describe at least three kinds of failure (for
example by kind, splice or copy-move; edge, hard or feathered; size of the region; texture; the last JPEG
quality), show or name the patches, and explain each from the cues your network uses (SRM noise residuals,
Bayar residuals, JPEG history). What would you change to fix one of them?""",
         """Expected observations, each tied to a cue: (1) copy-moves are missed more often than splices: the region
comes from the same photograph, with the same camera noise and JPEG history, so the noise residuals match and
only the resampling of the rotation and enlargement is left as a trace. (2) Small regions and feathered edges are
missed: the replaced pixels are few and the blended border has no sharp discontinuity in the residuals, so the
mask stays under 0.5 and the image score low. (3) Flat or saturated areas (sky, dark background) give weak
residuals everywhere, so a forgery there is invisible, while strongly textured authentic patches (foliage,
hair) give strong, uneven residuals and are flagged as forged. (4) A low last JPEG quality (around 70) wipes
out the earlier compression traces of a splice. Fixes: augment with more copy-moves and feathered masks, add a
resampling cue (a second Bayar stream or a larger receptive field), weight the small regions more in the loss,
or train on patches re-saved at lower qualities."""),
    ],
)


def nbgrader(grade_id, *, grade=False, solution=False, locked=False, points=None):
    """nbgrader's cell metadata (schema 3)."""
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution,
            "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def autograder_cell(assignment, group, points):
    source = (f"# {points} points: the hidden tests in test_{group}.py, run by the course autograder on your files.\n"
              f"# This cell only stands for them; running it gives no points.\n"
              f'raise NotImplementedError("these points are awarded by the course autograder: '
              f'autograder batch {assignment.id} COURSE_DIR --nbgrader")')
    return new_code_cell(source, metadata=nbgrader(CELL_PREFIX + group, grade=True, locked=True, points=points))


def build(assignment):
    """The source notebook of `assignment`, as nbformat would write it (cell ids fixed, so reruns are stable)."""
    spec = NOTEBOOKS[assignment.id]
    cells = [new_markdown_cell(spec["intro"] + GRADING.format(id=assignment.id))]
    cells += [new_code_cell(source) for source in spec["code"]]
    cells.append(new_markdown_cell("## Written questions"))
    for grade_id, points, prompt, answer in spec["questions"]:
        cells.append(new_markdown_cell(prompt, metadata=nbgrader(f"{grade_id}_prompt", locked=True)))
        cells.append(new_markdown_cell(f"### BEGIN SOLUTION\n{answer}\n### END SOLUTION",
                                       metadata=nbgrader(grade_id, grade=True, solution=True, points=points)))
    groups = hidden_groups(assignment)
    cells.append(new_markdown_cell(f"## Code points: {sum(groups.values())} in all, from the hidden tests\n\n"
                                   f"One read-only cell per part; the course autograder fills in their scores."))
    cells += [autograder_cell(assignment, group, points) for group, points in groups.items()]
    for i, cell in enumerate(cells):
        cell.id = cell.metadata.get("nbgrader", {}).get("grade_id", f"cell-{i}")
    return new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}})


def main(argv):
    chosen = [a for a in assignments.all_assignments() if not argv or a.id in argv or a.name in argv]
    for assignment in chosen:
        path = source_notebook(assignment)
        nbformat.write(build(assignment), path)
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
