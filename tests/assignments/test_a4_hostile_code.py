"""Assignment 4: wrong code that a single text replacement cannot write (test_a4.py's mutants can), graded on the
unit tests only (no training)."""

from autograder import assignments
from autograder.judge.grading import grade
from harness import by_name, mutated_copy

A4 = assignments.find("a4")

# MultiTaskNet keeps its DepthwiseSeparable blocks as attributes (so a count of its modules finds them) and runs
# plain 3x3 convolutions in their place.
PLAIN_CONVS = '''
        conv = lambda i, o, s=1: nn.Sequential(nn.Conv2d(i, o, 3, stride=s, padding=1), nn.ReLU6())
        self.plain = nn.ModuleDict({"stage4": conv(w, 2 * w, 2), "stage8": conv(2 * w, 4 * w, 2),
                                    "neck": conv(2 * w, 2 * w), "det": conv(2 * w, 2 * w), "seg": conv(2 * w, w)})
'''
PLAIN_FORWARD = '''        s2 = self.stem(x)
        s4 = self.plain["stage4"](s2)
        s8 = self.plain["stage8"](s4)
        f4 = self.plain["neck"](s4 + F.interpolate(self.lateral(s8), scale_factor=2, mode="nearest"))
        d = self.plain["det"](f4)
        up = F.interpolate(f4, scale_factor=2, mode="bilinear", align_corners=False) + self.skip(s2)
        seg = F.interpolate(self.seg(self.plain["seg"](up)), scale_factor=2, mode="bilinear", align_corners=False)
        out = {"seg": seg, "heatmap": self.heatmap(d).sigmoid(), "wh": self.wh(d), "offset": self.offset(d)}
'''


def _blocks_unused(text):
    init_end = "        nn.init.constant_(self.heatmap.bias, -math.log((1 - 0.1) / 0.1))\n"
    forward_start, forward_end = "        s2 = self.stem(x)", "        ### END SOLUTION\n        return out"
    assert text.count(init_end) == 1 and text.count(forward_start) == 1
    text = text.replace(init_end, init_end + PLAIN_CONVS)
    head, rest = text.split(forward_start)
    return head + PLAIN_FORWARD + rest[rest.index(forward_end):]


def test_blocks_kept_but_not_run_lose_the_depthwise_points(tmp_path):
    submission = mutated_copy(A4, {"model.py": _blocks_unused}, tmp_path / "plain")
    results = by_name(grade(A4, submission, select="test_output_shapes or test_depthwise_separable"))
    assert results["test_output_shapes"].score == results["test_output_shapes"].max_score   # a working model
    assert results["test_depthwise_separable"].score == 0, results["test_depthwise_separable"].output
