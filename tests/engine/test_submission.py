"""Reading submissions: folders, zips, single files, and the problems found without running them."""

import zipfile

import pytest

from autograder import assignments
from autograder.judge.materialize import SubmissionError, check_file, materialize


@pytest.fixture
def toy(toy_course):
    return assignments.find("t1")


def zip_of(path, members):
    with zipfile.ZipFile(path, "w") as z:
        for name, text in members.items():
            z.writestr(name, text)
    return path


def test_zip_with_a_top_folder_is_found(toy, tmp_path):
    sub = zip_of(tmp_path / "s.zip", {"alice-a1/lib/ops.py": "def add(a, b):\n    return a + b\n",
                                      "alice-a1/notes.txt": "hi"})
    out = materialize(sub, toy, tmp_path / "out")
    assert out.problems == []
    assert "return a + b" in (out.folder / "lib" / "ops.py").read_text()
    assert (out.folder / "lib" / "__init__.py").exists()  # support file from the assignment


def test_unsafe_zip_is_refused(toy, tmp_path):
    sub = zip_of(tmp_path / "s.zip", {"../../evil.py": "x = 1\n"})
    with pytest.raises(SubmissionError, match="unsafe path"):
        materialize(sub, toy, tmp_path / "out")


def test_unzip_cap_is_the_assignments_own(toy, tmp_path):
    """limits.unzipped_mb in assignment.toml: 1 MiB here refuses a 2 MiB zip that the default 200 MiB takes."""
    sub = zip_of(tmp_path / "s.zip", {"lib/ops.py": "def add(a, b):\n    return a + b\n",
                                      "weights.bin": bytes(2 * 2**20)})
    assert materialize(sub, toy, tmp_path / "out").problems == []
    toy.limits.unzipped_mb = 1
    with pytest.raises(SubmissionError, match=r"s.zip unpacks to more than 1 MiB \(this assignment's "
                                              r"limits.unzipped_mb\)"):
        materialize(sub, toy, tmp_path / "out")


def test_single_file_and_wrong_single_file(toy, tmp_path):
    (tmp_path / "ops.py").write_text("def add(a, b):\n    return 0\n")
    assert materialize(tmp_path / "ops.py", toy, tmp_path / "out").problems == []
    (tmp_path / "other.py").write_text("")
    with pytest.raises(SubmissionError, match="other.py is not one of the files this assignment takes"):
        materialize(tmp_path / "other.py", toy, tmp_path / "out")
    (tmp_path / "notes.txt").write_text("")
    with pytest.raises(SubmissionError, match="neither a folder, a zip nor a .py file"):
        materialize(tmp_path / "notes.txt", toy, tmp_path / "out")


def test_student_cannot_replace_support_files(toy, tmp_path):
    sub = tmp_path / "sub"
    (sub / "lib").mkdir(parents=True)
    (sub / "lib" / "ops.py").write_text("def add(a, b):\n    return a + b\n")
    (sub / "lib" / "__init__.py").write_text("raise SystemExit\n")
    out = materialize(sub, toy, tmp_path / "out")
    assert (out.folder / "lib" / "__init__.py").read_text() == '"""Toy package."""\n'


def test_check_file_reports_signatures_and_syntax():
    sigs = ["KNN.predict(self, X, k=1)", "loss(W, X, y, reg)"]
    good = "class KNN:\n    def predict(self, X, k=1, num_loops=0):\n        pass\ndef loss(W, X, y, reg):\n    pass\n"
    assert check_file("m.py", good, sigs) == []
    missing = check_file("m.py", "def loss(W, X, y):\n    pass\n", sigs)
    assert missing[0] == "m.py does not define `KNN.predict`; the tests that use it score 0."
    assert "takes (W, X, y) but the assignment expects (W, X, y, reg)" in missing[1]
    assert "syntax error at line 1" in check_file("m.py", "def (:\n", sigs)[0]


def test_symbolic_links_are_refused(toy, toy_course, tmp_path):
    sub = tmp_path / "sub"
    (sub / "lib").mkdir(parents=True)
    (sub / "lib" / "ops.py").symlink_to(toy_course / "solutions" / "toy" / "secret.txt")
    out = materialize(sub, toy, tmp_path / "out")
    assert out.problems == ["lib/ops.py is a symbolic link, not a file; the tests that use it score 0."]
    assert not (out.folder / "lib" / "ops.py").exists()


def test_signature_defaults_may_hold_commas():
    from autograder.judge.materialize import _parse_signature
    assert _parse_signature("ResNet.__init__(self, num_blocks=(2, 2, 2), width=16)") == (
        "ResNet", "__init__", ["self", "num_blocks", "width"])


def test_embedded_data_is_flagged_for_review_not_scored():
    table = "ANSWERS = {" + ", ".join(f"{i}: {i % 10}" for i in range(600)) + "}\n"
    encoded = "WEIGHTS = '" + "QUJD" * 2000 + "'\n"
    big_int = "PACKED = 0x" + "f" * 6000 + "\n"
    flagged = check_file("train.py", table + encoded + big_int + "def predict(x):\n    return x\n", [])
    assert [p.split(";")[0] for p in flagged] == [
        "flagged for review (not scored): train.py line 1 writes out 600 numbers in one literal",
        "flagged for review (not scored): train.py line 2 holds a literal of about 8,000 characters",
        "flagged for review (not scored): train.py line 3 holds a literal of about 6,000 characters"]
    code = "def predict(x):\n    scale = [0.1307, 0.3081]\n    return (x - scale[0]) / scale[1]\n"
    assert check_file("train.py", code, []) == []
    padded = code + "# " + "x" * 120 * 1024 + "\n"
    assert check_file("train.py", padded, [])[0].startswith(
        "flagged for review (not scored): train.py is 120 KiB, far more than code for this assignment needs")
