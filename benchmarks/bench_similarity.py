"""Code similarity: how long `autograder similarity` takes for a class of A1 submissions on this machine.

The class is synthesized from the real CS231n solutions in tests/engine/similarity_class/students: each student
takes each file from a seeded choice of author, then some of its names are renamed, some comment lines dropped
and a few lines inserted, so no two students are alike yet many pairs share code (the costly case). Every pair is
compared, and each student with the reference solution. Prints the time to compare, the time to write
similarity.csv and similarity.html, and the total.
Usage: python benchmarks/bench_similarity.py [-n 200] [--smoke]   (--smoke: 12 students, a few seconds, for CI)
"""

import argparse
import random
import re
import shutil
import tempfile
import time
from pathlib import Path

from autograder import assignments
from autograder.batch import available_cpus
from autograder.course import similarity, similarity_report

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "engine" / "similarity_class"
RENAMES = {"num_train": "n_train", "scores": "logits", "loss": "total_loss", "dW": "grad_W", "margin": "slack",
           "num_classes": "n_classes", "dists": "distances", "correct_class_score": "true_score"}


def mutate(text, rng):
    """A copy of `text` with some names renamed, some comment lines dropped and a few statements inserted."""
    for old, new in RENAMES.items():
        if rng.random() < 0.5:
            text = re.sub(rf"\b{old}\b", new, text)
    lines = [line for line in text.splitlines() if not (line.strip().startswith("#") and rng.random() < 0.5)]
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(lines))
        indent = re.match(r"\s*", lines[at]).group(0)
        if lines[at].strip() and not lines[at].rstrip().endswith((":", ",", "(", "\\")):
            lines.insert(at + 1, f"{indent}checked_{rng.randrange(1000)} = True")
    return "\n".join(lines) + "\n"


def make_class(folder, n, seed=0):
    """n student folders, each file taken from a seeded author among the fixtures and mutated."""
    rng = random.Random(seed)
    by_file = {}
    for path in sorted((FIXTURES / "students").glob("*/classifiers/*.py")):
        by_file.setdefault(path.name, []).append(path.read_text())
    for i in range(n):
        for name, versions in by_file.items():
            target = folder / f"student{i:03d}" / "classifiers" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(mutate(rng.choice(versions), rng))
    return folder, len(by_file)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, help="students in the class (default 200, 12 with --smoke)")
    parser.add_argument("--smoke", action="store_true", help="a quick run for CI")
    args = parser.parse_args()
    n = args.n or (12 if args.smoke else 200)
    assignment = assignments.find("a1")
    root = Path(tempfile.mkdtemp(prefix="bench-similarity-"))
    try:
        subs, files = make_class(root / "class", n)
        started = time.monotonic()
        comparison = similarity.compare_class(assignment, subs, boilerplate=[FIXTURES / "cs231n_starter"])
        compared = time.monotonic() - started
        similarity.write_csv(root / "out" / "similarity.csv", comparison)
        similarity_report.write_html(root / "out" / "similarity.html", comparison)
        total = time.monotonic() - started
        sizes = [(root / "out" / name).stat().st_size / 1024 for name in ("similarity.csv", "similarity.html")]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    flagged = sum(p.flagged for p in comparison.pairs)
    print(f"class: {n} synthesized submissions of {assignment.name} ({files} files each) and the reference "
          f"solution, {available_cpus()} CPU core(s)")
    print(f"compare (read, fingerprint, {len(comparison.pairs)} pairs): {compared:7.2f} s   ({flagged} pairs flagged)")
    print(f"write csv + html              : {total - compared:7.2f} s   ({sizes[0]:,.0f} KiB + {sizes[1]:,.0f} KiB)")
    print(f"total                         : {total:7.2f} s")


if __name__ == "__main__":
    main()
