"""Assignment 4 graded end to end (reference, stubs and public tests: test_every_assignment.py): lost
points for plausible mistakes, and nothing for submissions that look for the hidden annotations or forge the cost."""

import pytest

from autograder import assignments
from autograder.judge.grading import grade
from harness import assert_mutant_caught, by_name, mutated_copy

from a4_mutants import MUTANTS

A4 = assignments.find("a4")
TRAINED = ["test_qualification[map50]", "test_qualification[map]", "test_qualification[miou]", "test_cost_parameters",
           "test_cost_macs", "test_cost_latency"]


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_plausible_mistake_loses_points(mutant, tmp_path):
    assert_mutant_caught(A4, mutant, tmp_path / "sub")


# The hostile train.py: no training, and predictions taken from the hidden annotations when they can be found:
# the hidden conftest's seed (the checkout beside the installed autograder), then the judge's scene cache.
HOSTILE_TRAIN = '''

def _no_training(train_split, epochs=1, batch_size=32, lr=1e-3, seed=0, device="cpu"):
    return MultiTaskNet(width=4).eval()


_TRUTH = []   # the hidden scenes, found once per worker


def _find_truth(images):
    import glob
    import os
    import re
    import autograder
    from autograder.data import scenes
    root = os.path.dirname(os.path.dirname(autograder.__file__))
    try:
        text = open(os.path.join(root, "tests/hidden/a4_multitask/conftest.py")).read()
        n, seed = re.search(r"HIDDEN_SCENES, HIDDEN_SEED = (\\S+), (\\S+)", text).groups()
        return scenes.make_scenes(int(n.replace("_", "")), int(seed.replace("_", ""), 0))
    except (OSError, AttributeError):
        for path in glob.glob(os.path.expanduser("~/.cache/autograder/scenes/*.npz")) + glob.glob("/root/.cache/autograder/scenes/*.npz"):
            with np.load(path) as archive:
                if len(archive["images"]) == len(images) and (archive["images"][0] == images[0]).all():
                    return scenes._unflat({k: archive[k] for k in archive.files})
    return None


def _hidden_truth(model, images, device="cpu", batch_size=128, k=20, threshold=0.05, iou_threshold=0.6):
    if not _TRUTH:
        _TRUTH.append(_find_truth(images))
    truth, found = _TRUTH[0], []
    for image in images:
        i = next((i for i, known in enumerate(truth["images"]) if (known == image).all()), None) if truth else None
        if i is None:
            found.append({"boxes": np.zeros((0, 4), np.float32), "scores": np.zeros(0, np.float32),
                          "labels": np.zeros(0, np.int64), "mask": np.zeros(images.shape[1:3], np.uint8)})
        else:
            boxes = truth["boxes"][i]
            found.append({"boxes": boxes, "scores": np.ones(len(boxes), np.float32), "labels": truth["labels"][i],
                          "mask": truth["masks"][i]})
    return found


train_multitask = _no_training
predict = _hidden_truth
'''


def test_hostile_submission_finds_no_annotations(tmp_path, hostile_isolation):
    hostile = mutated_copy(A4, {"train.py": lambda text: text + HOSTILE_TRAIN}, tmp_path / "h")
    results = grade(A4, hostile, select=" or ".join(TRAINED[:3]))
    tests, figures = by_name(results), {e["name"]: e["value"] for e in results.leaderboard}
    for name in TRAINED[:3]:
        assert tests[name].score == 0, f"{name} scored {tests[name].score} for hostile code: {tests[name].output}"
        assert "Error" not in tests[name].output, tests[name].output   # it ran
    if hostile_isolation == "none":   # what the sandbox stops: the hidden seed read from the checkout finds the
        assert figures["mAP@0.5"] > 0.95                 # annotations, and only the check that answers come
        assert "the returned model's own forward" in tests["test_qualification[map50]"].output   # from the model
    else:                                                # stops the points
        assert figures["mAP@0.5"] < 0.1, figures         # it found nothing


# Costs that are not what ran: FlopCounterMode patched to report a tiny cost (the counters' trusted layer shows
# it), and batch-1 calls (the latency's) answered with zeros (they must answer as the batched ones do). One
# epoch of training: the checks that stop them come before the model's accuracy is looked at.
FORGED_COUNTER = """

from torch.utils.flop_counter import FlopCounterMode as _Counter
_Counter.get_total_flops = lambda self: 2000
"""
CHEAP_WHEN_TIMED = """

_forward = MultiTaskNet.forward


def _cheap_when_timed(self, x):
    if x.shape[0] == 1:
        import torch
        n, _, H, W = x.shape
        return {"seg": torch.zeros(n, 4, H, W), "heatmap": torch.zeros(n, 3, H // 4, W // 4),
                "wh": torch.zeros(n, 2, H // 4, W // 4), "offset": torch.zeros(n, 2, H // 4, W // 4)}
    return _forward(self, x)


MultiTaskNet.forward = _cheap_when_timed
"""


@pytest.mark.parametrize("forgery, tests, message", [
    (FORGED_COUNTER, ["test_cost_macs", "test_cost_latency", "test_cost_parameters"], "could not be measured"),
    (CHEAP_WHEN_TIMED, ["test_cost_latency"], "one image at a time differ")], ids=["counter", "batch_of_one"])
def test_forged_cost_earns_no_cost_points(forgery, tests, message, tmp_path):
    edits = {"model.py": lambda text: text + forgery,
             "train.py": lambda text: text.replace("def train_multitask(train_split, epochs=12,",
                                                   "def train_multitask(train_split, epochs=1,")}
    results = grade(A4, mutated_copy(A4, edits, tmp_path / "f"), select=" or ".join(tests))
    for name, result in by_name(results).items():
        assert result.score == 0, f"{name} scored {result.score} for a forged cost: {result.output}"
        assert message in result.output, result.output
    shown = {e["name"] for e in results.leaderboard}
    assert not shown & {"parameters", "MACs", "latency_ms"}, f"forged figures reached the leaderboard: {shown}"


# A decoy: train_multitask trains the reference network but returns an untrained width-4 one that carries the
# trained one in a plain list (out of parameters()), and predict runs the hidden one three times on each batch
# (a repeated, uncounted forward). Measured around the model it returned, it would top the leaderboard.
DECOY = '''

_honest_train, _honest_predict = train_multitask, predict


def train_multitask(train_split, epochs=1, batch_size=32, lr=1e-2, seed=0, device="cpu"):   # one epoch: the
    decoy = MultiTaskNet(width=4).to(device).eval()   # figures checked here do not depend on how well it learnt
    decoy.hidden = [_honest_train(train_split, epochs, batch_size, lr, seed, device)]
    return decoy


class _ThreeTimes(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.inner = [model]

    def forward(self, x):
        outs = [self.inner[0](x) for _ in range(3)]
        return {k: sum(o[k] for o in outs) / 3 for k in outs[0]}


def predict(model, images, device="cpu", **kwargs):
    return _honest_predict(_ThreeTimes(getattr(model, "hidden", [model])[0]), images, device=device, **kwargs)
'''


def _reference_network_cost():
    """(parameters and BN running statistics, multiply-accumulates per 64x64 image) of the reference's network."""
    import importlib.util

    import torch
    from torch.utils.flop_counter import FlopCounterMode
    spec = importlib.util.spec_from_file_location("a4_reference_model", A4.solution / "model.py")
    model = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(model)
    net = model.MultiTaskNet().eval()
    state = sum(p.numel() for p in net.parameters()) + sum(
        b.numel() for name, b in net.named_buffers() if not name.endswith("num_batches_tracked"))
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        net(torch.zeros(1, 3, 64, 64))
    return state, counter.get_total_flops() // 2


def test_decoy_model_is_measured_where_it_predicts(tmp_path):
    results = grade(A4, mutated_copy(A4, {"train.py": lambda text: text + DECOY}, tmp_path / "d"),
                    select=" or ".join(TRAINED))
    tests = by_name(results)
    for name in TRAINED:
        assert tests[name].score == 0, f"{name} scored {tests[name].score} for a decoy model: {tests[name].output}"
    assert "agree with the returned model's own forward" in tests["test_qualification[map50]"].output
    figures = {e["name"]: e["value"] for e in results.leaderboard}
    state, macs = _reference_network_cost()
    assert figures["parameters"] == state       # the hidden network's, not the decoy's 1.8k
    assert figures["MACs"] == 3 * macs          # each of the three forwards counted
