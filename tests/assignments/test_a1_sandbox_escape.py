"""A1 submissions that try to get out of the sandbox as a determined student would: by reading the
reference out of the checkout's git history, and by searching the file system for hidden tests and
secrets. Each earns nothing through the sandbox; with it switched off (AUTOGRADER_ISOLATION=none) the
same submission does get what it looks for, which proves the tests can fail."""

import shutil
import tempfile
import uuid
from pathlib import Path

from autograder import assignments
from autograder.judge.grading import grade
from harness import by_name

A1 = assignments.find("a1")
SELECT = "svm_loss or softmax_loss or compute_distances"

# Pure Python, no git binary: HEAD -> commit -> tree -> blob, from loose objects or pack files.
GIT_THIEF = r'''
import os, zlib

def _objects(git):
    return os.path.join(git, "objects")

def _loose(git, sha):
    path = os.path.join(_objects(git), sha[:2], sha[2:])
    if os.path.exists(path):
        raw = zlib.decompress(open(path, "rb").read())
        kind, _, rest = raw.partition(b" ")
        return kind.decode(), rest.split(b"\0", 1)[1]
    return None

def _varint_delta(data, i):
    value = shift = 0
    while True:
        c = data[i]; i += 1
        value |= (c & 0x7F) << shift; shift += 7
        if not c & 0x80:
            return value, i

def _apply_delta(base, delta):
    _, i = _varint_delta(delta, 0)
    _, i = _varint_delta(delta, i)
    out = bytearray()
    while i < len(delta):
        op = delta[i]; i += 1
        if op & 0x80:
            offset = size = 0
            for bit in range(4):
                if op & (1 << bit):
                    offset |= delta[i] << (8 * bit); i += 1
            for bit in range(3):
                if op & (1 << (4 + bit)):
                    size |= delta[i] << (8 * bit); i += 1
            out += base[offset:offset + (size or 0x10000)]
        else:
            out += delta[i:i + op]; i += op
    return bytes(out)

def _inflate(f):
    d = zlib.decompressobj()
    out = b""
    while not d.eof:
        chunk = f.read(65536)
        if not chunk:
            break
        out += d.decompress(chunk)
    return out

KINDS = {1: "commit", 2: "tree", 3: "blob", 4: "tag"}

def _pack_entry(git, pack, offset):
    with open(pack, "rb") as f:
        f.seek(offset)
        c = f.read(1)[0]
        kind = (c >> 4) & 7
        while c & 0x80:
            c = f.read(1)[0]
        if kind == 6:
            c = f.read(1)[0]
            back = c & 0x7F
            while c & 0x80:
                c = f.read(1)[0]
                back = ((back + 1) << 7) | (c & 0x7F)
            delta = _inflate(f)
            base_kind, base = _pack_entry(git, pack, offset - back)
            return base_kind, _apply_delta(base, delta)
        if kind == 7:
            base_sha = f.read(20).hex()
            delta = _inflate(f)
            base_kind, base = _object(git, base_sha)
            return base_kind, _apply_delta(base, delta)
        return KINDS[kind], _inflate(f)

def _packed(git, sha):
    folder = os.path.join(_objects(git), "pack")
    if not os.path.isdir(folder):
        return None
    want = bytes.fromhex(sha)
    for name in os.listdir(folder):
        if not name.endswith(".idx"):
            continue
        idx = open(os.path.join(folder, name), "rb").read()
        count = int.from_bytes(idx[8 + 255 * 4:8 + 256 * 4], "big")
        names = 8 + 256 * 4
        for n in range(count):
            if idx[names + 20 * n:names + 20 * n + 20] == want:
                at = names + 24 * count + 4 * n
                offset = int.from_bytes(idx[at:at + 4], "big")
                if offset & 0x80000000:
                    big = names + 28 * count + 8 * (offset & 0x7FFFFFFF)
                    offset = int.from_bytes(idx[big:big + 8], "big")
                return _pack_entry(git, os.path.join(folder, name[:-4] + ".pack"), offset)
    return None

def _object(git, sha):
    return _loose(git, sha) or _packed(git, sha)

def _head(git):
    ref = open(os.path.join(git, "HEAD")).read().strip()
    if not ref.startswith("ref: "):
        return ref
    ref = ref[5:]
    if os.path.exists(os.path.join(git, ref)):
        return open(os.path.join(git, ref)).read().strip()
    for line in open(os.path.join(git, "packed-refs")):
        if line.strip().endswith(" " + ref):
            return line.split()[0]

def _file_at_head(git, path):
    _, commit = _object(git, _head(git))
    sha = commit.split(b"\n", 1)[0].split()[1].decode()
    for part in path.split("/"):
        _, tree = _object(git, sha)
        i, found = 0, None
        while i < len(tree):
            space = tree.index(b" ", i); nul = tree.index(b"\0", space)
            if tree[space + 1:nul].decode() == part:
                found = tree[nul + 1:nul + 21].hex()
            i = nul + 21
        if found is None:
            return None
        sha = found
    return _object(git, sha)[1].decode()

def _steal(path):
    starts = [os.getcwd(), os.path.dirname(os.path.abspath(__file__))]
    try:
        import autograder
        starts.insert(0, os.path.dirname(autograder.__file__))
    except ImportError:
        pass
    for start in starts:
        folder = start
        while True:
            git = os.path.join(folder, ".git")
            if os.path.isdir(git):
                try:
                    text = _file_at_head(git, path)
                except Exception:
                    text = None
                if text:
                    return text
            if os.path.dirname(folder) == folder:
                break
            folder = os.path.dirname(folder)
    return None

_hidden = _steal("tests/hidden/a1_classification/probes.py")
print("hidden probes:", (_hidden or "not found")[:300])
_reference = _steal("solutions/a1_classification/" + RELPATH)
if _reference:
    exec(compile(_reference, __file__, "exec"), globals())
'''

# Looks for hidden tests, keys and other students' work where they usually lie, and prints what it finds.
SEARCHER = r'''
import os, tempfile

def _search():
    found = []
    roots = [tempfile.gettempdir(), "/tmp", os.path.expanduser("~"), "/root", "/home", "/srv"]
    for root in roots:
        for folder, dirs, files in os.walk(root):
            if folder.count(os.sep) - root.count(os.sep) >= 3:
                dirs[:] = []
            dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev", "usr", "lib", ".venv", "site-packages")]
            for name in files:
                if name.startswith(".autograder-test-key") or (folder.endswith("hidden") and name.startswith("test_")):
                    path = os.path.join(folder, name)
                    if any(line.startswith(path + ":") for line in found):
                        continue
                    try:
                        found.append(path + ": " + open(path).read()[:100])
                    except OSError:
                        pass
    return found

def svm_loss_vectorized(W, X, y, reg):
    found = _search()
    print("found %d files" % len(found))
    for line in found:
        print(line)
    return 0.0, np.zeros_like(W)
'''


def thief_submission(dest):
    shutil.copytree(A1.folder, dest, ignore=shutil.ignore_patterns("tests", "__pycache__"))
    for rel in A1.files:
        (dest / rel).write_text(f"RELPATH = {rel!r}\n" + GIT_THIEF)
    return dest


def test_reference_from_git_history_is_out_of_reach(tmp_path, hostile_isolation):
    mode = hostile_isolation
    results = grade(A1, thief_submission(tmp_path / "thief"), select=SELECT)
    assert len(results.tests) >= 10
    printed = " ".join(t.student_output for t in results.tests)
    if mode == "none":  # what the sandbox stops: full marks and the hidden probes in the feedback
        assert results.score == results.max_score > 0, {t.name: t.output for t in results.tests if not t.score}
        assert "Probes for assignment 1's hidden tests" in printed
    else:
        assert results.score == 0, {t.name: t.output for t in results.tests if t.score}
        assert "Probes for assignment 1" not in printed and "hidden probes: not found" in printed
        assert results.protections["filesystem"] == "allowlist"


def test_searching_the_file_system_finds_nothing(tmp_path, hostile_isolation):
    mode = hostile_isolation
    tag = uuid.uuid4().hex[:8]
    other = Path(tempfile.gettempdir()) / f"course-copy-{tag}" / "hidden"
    other.mkdir(parents=True)
    (other / f"test_{tag}.py").write_text(f"hidden test {tag}")
    key = Path.home() / f".autograder-test-key-{tag}"
    key.write_text(f"key {tag}")
    sub = tmp_path / "searcher"
    shutil.copytree(A1.solution, sub, ignore=shutil.ignore_patterns("__pycache__"))
    svm = sub / "classifiers" / "linear_svm.py"
    svm.write_text(svm.read_text() + SEARCHER)
    try:
        results = by_name(grade(A1, sub, select="svm_loss_vectorized"))
    finally:
        shutil.rmtree(other.parent)
        key.unlink()
    printed = " ".join(t.student_output for t in results.values())
    assert results["test_svm_loss_vectorized_values"].score == 0
    if mode == "none":
        assert f"hidden test {tag}" in printed and f"key {tag}" in printed
    else:
        assert tag not in printed and "found 0 files" in printed, printed[:2000]
