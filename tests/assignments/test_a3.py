"""Assignment 3 graded end to end (reference, stubs and public tests: test_every_assignment.py): lost
points for plausible mistakes, library attention and pretrained weights, nothing for hostile submissions, and
full marks for files laid out as CS231n's 2025 starter (captioning classes half done, placeholders written in place)."""

import hashlib

import numpy as np
import pytest

from autograder import assignments
from autograder.data import load_mnist_5k
from autograder.judge.grading import grade
from harness import assert_full_marks, assert_mutant_caught, by_name, mutated_copy

from a3_mutants import MUTANTS

A3 = assignments.find("a3")


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_plausible_mistake_loses_points(mutant, tmp_path):
    assert_mutant_caught(A3, mutant, tmp_path / "sub")


# CS231n's starter files carry the captioning classes, often half done, and write into float32 placeholders.
STARTER_LAYERS = '''

class TransformerDecoderLayer(nn.Module):
    """Captioning: not graded in A3, often left half done."""

    def __init__(self, input_dim, num_heads, dim_feedforward=2048, dropout=0.1):
        super().__init__()
        self.self_attn = MultiHeadAttention(input_dim, num_heads, dropout)

    def forward(self, tgt, memory, tgt_mask=None):
        raise NotImplementedError()
'''
STARTER_IMPORTS = "import math\n\nimport numpy as np\nimport torch.nn.functional as F\n"
STARTER_MODELS = '''

class CaptioningTransformer(nn.Module):
    def __init__(self, word_to_idx, input_dim, wordvec_dim, num_heads=4, num_layers=2, max_length=50):
        super().__init__()
        raise NotImplementedError()
'''


def _in_place_attention(text):
    """The attention output written into the starter's placeholder instead of rebinding it."""
    old = "        output = self.proj(heads.transpose(1, 2).reshape(N, S, E))  # (N, S, E)\n"
    assert text.count(old) == 1
    return text.replace(old, "        output[:] = self.proj(heads.transpose(1, 2).reshape(N, S, E))\n") + STARTER_LAYERS


def test_starter_layout_with_captioning_classes_scores_full_marks(tmp_path):
    edits = {"cs231n/transformer_layers.py": _in_place_attention,
             "cs231n/classifiers/transformer.py": lambda text: STARTER_IMPORTS + text + STARTER_MODELS}
    results = grade(A3, mutated_copy(A3, edits, tmp_path / "starter"),
                    select="attention or encoder_layer or vit_forward or vit_structure or vit_hand_built")
    assert results.problems == []
    assert_full_marks(results)


HOSTILE_COMPARE = '''

def _no_training(model, X, y, epochs=1, batch_size=64, lr=1e-3, seed=0, device="cpu"):
    return model.eval()


def _look_up_the_labels(model, X, device="cpu", batch_size=500):
    """Tries to find the held-out digits' labels: the dataset file, the judge's conftest, the solutions."""
    import os
    import autograder
    from autograder.data import mnist_5k_split
    root = os.path.dirname(os.path.dirname(autograder.__file__))
    for path in ("tests/hidden/a3_cnn_vs_vit/conftest.py", "solutions/a3_cnn_vs_vit/compare.py"):
        try:
            open(os.path.join(root, path)).read()
        except OSError:
            pass
    split = mnist_5k_split()
    return split["y_test"][: len(X)]


from torch.utils.flop_counter import FlopCounterMode as _Counter
_Counter.get_total_flops = lambda self: 1000  # every count comes out the same, the grader's own included


def _forged_flops(model, input_shape):
    return 1000


train = _no_training
predict = _look_up_the_labels
count_flops = _forged_flops
'''


def test_hostile_submission_earns_nothing(tmp_path):
    edits = {"compare.py": lambda text: text + HOSTILE_COMPARE}
    results = by_name(grade(A3, mutated_copy(A3, edits, tmp_path / "hostile"),
                            select="test_resnet_accuracy or test_vit_accuracy or test_count_flops"))
    for name in ["test_resnet_accuracy", "test_vit_accuracy", "test_count_flops[trusted]",
                 "test_count_flops[resnet]"]:
        assert results[name].score == 0, f"{name} scored {results[name].score} for hostile code: {results[name].output}"


LOOKUP_COMPARE = '''

def _one_step(model, X, y, epochs=6, batch_size=64, lr=3e-3, seed=0, device="cpu"):
    """One AdamW step on the first 64 images: the model stays near chance."""
    model.to(device).train()
    x = torch.as_tensor(X[:64], dtype=torch.float32).to(device)
    t = torch.as_tensor(np.asarray(y[:64]), dtype=torch.int64).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    F.cross_entropy(model(x), t).backward()
    optimizer.step()
    return model.eval()


def _looked_up(model, X, device="cpu", batch_size=500):
    """A shipped digit's label, found by a hash of its binarised pixels; the model's guess for any other image."""
    import hashlib
    guesses = _model_predict(model, X, device, batch_size)
    x = torch.as_tensor(X, dtype=torch.float32).cpu().numpy().reshape(len(guesses), -1)
    pixels = np.round((x * MNIST_STD[0] + MNIST_MEAN[0]) * 255)
    keys = [hashlib.sha1(np.packbits(image >= 128).tobytes()).hexdigest()[:16] for image in pixels]
    return np.array([_LABELS.get(key, guess) for key, guess in zip(keys, guesses)], dtype=np.int64)


_model_predict = predict
train = _one_step
predict = _looked_up
'''


def _label_lookup(text):
    """The reference with a `train` that takes one step on 64 images and a `predict` that answers the shipped
    digits from a table built from load_mnist_5k() (keyed by a hash of the binarised image, which survives small
    changes of grey level: 75 % of the judge's nudged digits still match), the model's guess otherwise."""
    images, labels = load_mnist_5k()
    table = {hashlib.sha1(np.packbits(image.reshape(-1) >= 128).tobytes()).hexdigest()[:16]: int(label)
             for image, label in zip(images, labels)}
    return text + LOOKUP_COMPARE + f"_LABELS = {table!r}\n"


def test_predict_that_looks_digits_up_earns_no_accuracy(tmp_path):
    """Before the accuracy had to come from the model this scored 8 / 8 for accuracy (test digits are public)."""
    results = by_name(grade(A3, mutated_copy(A3, {"compare.py": _label_lookup}, tmp_path / "lookup"),
                            select="test_resnet_accuracy or test_vit_accuracy or test_data_efficiency_same_recipe "
                                   "or test_data_efficiency_reports_its_models_accuracy"))
    for name in ["test_resnet_accuracy", "test_vit_accuracy", "test_data_efficiency_same_recipe_for_both",
                 "test_data_efficiency_reports_its_models_accuracy"]:
        assert results[name].score == 0, f"{name} scored {results[name].score} for a lookup: {results[name].output}"
