"""Draw the pictures of assignment 5's README into solutions/a5_forgery/ (then run `autograder stubs a5`).

    .venv/bin/python scripts/a5_pictures.py

- forgery_example.png: a splice, a copy-move and an authentic patch of the public training split, each with its
  ground-truth mask and its error level analysis (filters.error_level at quality 90, one grey scale for all);
- spectra.png: the mean spectral profile (spectrum.spectral_features) of the real and the generated patches;
- generated_examples.png: four real patches above four generated ones.

Offline and deterministic (the splits come from autograder's cache, or are made from the seeded generator);
the solution's filters.py and spectrum.py draw the maps, so the pictures show what a correct solution gives.
"""
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "a5_forgery"
sys.path[:0] = [str(ROOT), str(SOLUTION)]

import filters   # noqa: E402  (the solution's, from SOLUTION)
import spectrum  # noqa: E402
from autograder.data.forgery import forgery_split  # noqa: E402

SCALE = 3                  # 64x64 patches drawn as 192x192, nearest neighbour
GAP = 6                    # white pixels between tiles
FONT = ImageFont.load_default(size=15)
LABEL_W, HEADER_H = 96, 26


def big(tile):
    """A uint8 (64, 64) or (64, 64, 3) tile enlarged SCALE times (nearest neighbour), as RGB."""
    image = Image.fromarray(np.ascontiguousarray(tile)).convert("RGB")
    return image.resize((image.width * SCALE, image.height * SCALE), Image.NEAREST)


def grid(rows, columns=(), labels=()):
    """Tiles (a list of rows of PIL images of one size) on a white sheet, with optional column and row labels."""
    w, h = rows[0][0].size
    left, top = (LABEL_W if labels else 0), (HEADER_H if columns else 0)
    sheet = Image.new("RGB", (left + len(rows[0]) * (w + GAP) + GAP, top + len(rows) * (h + GAP) + GAP), "white")
    draw = ImageDraw.Draw(sheet)
    for j, text in enumerate(columns):
        draw.text((left + GAP + j * (w + GAP) + w // 2, top // 2 + 2), text, fill="black", font=FONT, anchor="mm")
    for i, row in enumerate(rows):
        y = top + GAP + i * (h + GAP)
        if labels:
            draw.text((GAP, y + h // 2), labels[i], fill="black", font=FONT, anchor="lm")
        for j, tile in enumerate(row):
            sheet.paste(tile, (left + GAP + j * (w + GAP), y))
    return sheet


def pick(data, kind, ela):
    """The patch of `kind` (0 authentic, 1 splice, 2 copy-move) among the first 40 of that kind whose ELA differs
    most, relatively, between the replaced pixels and the rest (replaced regions of at least 400 pixels); for
    authentic patches simply the first. Chosen so that the picture shows the cue: on most patches it is fainter."""
    candidates = np.flatnonzero(data["kinds"] == kind)[:40]
    if kind == 0:
        return int(candidates[0])
    best, best_ratio = None, -1.0
    for i in candidates:
        mask = data["masks"][i].astype(bool)
        if mask.sum() < 400:
            continue
        ratio = ela[i][mask].mean() / (ela[i][~mask].mean() + 1e-6)
        if ratio > best_ratio:
            best, best_ratio = int(i), ratio
    return best


def forgery_example(path):
    data = forgery_split("manipulated")
    first = {k: np.flatnonzero(data["kinds"] == k)[:40] for k in (0, 1, 2)}
    ela = {int(i): filters.error_level(data["images"][i], 90) for k in first for i in first[k]}
    chosen = [pick(data, kind, ela) for kind in (1, 2, 0)]
    top = np.percentile(np.stack([ela[i] for i in chosen]), 99.5)   # one scale: authentic stays dark
    rows = []
    for i in chosen:
        stretched = np.clip(ela[i] / top * 255, 0, 255).astype(np.uint8)
        rows.append([big(data["images"][i]), big(data["masks"][i] * 255), big(stretched)])
    grid(rows, columns=("patch", "true mask", "ELA, quality 90"), labels=("splice", "copy-move", "authentic")) \
        .save(path, optimize=True)
    return [(int(data["kinds"][i]), str(data["photos"][i]), i) for i in chosen]


def generated_examples(path):
    data = forgery_split("generated")
    real, fake = (np.flatnonzero(data["labels"] == label)[:4] for label in (0, 1))
    rows = [[big(data["images"][i]) for i in real], [big(data["images"][i]) for i in fake]]
    grid(rows, labels=("real", "generated")).save(path, optimize=True)


def spectra(path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = forgery_split("generated")
    features = spectrum.spectral_features(data["images"])
    radius = np.arange(features.shape[1])
    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=100)
    for label, name, colour in ((0, "real", "#1f77b4"), (1, "generated", "#d62728")):
        part = features[data["labels"] == label]
        mean, std = part.mean(axis=0), part.std(axis=0)
        ax.fill_between(radius, mean - std, mean + std, color=colour, alpha=0.15, linewidth=0)
        ax.plot(radius, mean, color=colour, linewidth=2, label=f"{name} ({len(part):,} patches), mean and ±1 sd")
    ax.set_xlabel("ring radius r (frequency r / 64 cycles per pixel; 32 is Nyquist along an axis)")
    ax.set_ylabel("mean of log |FFT| over the ring")
    ax.set_xlim(0, radius[-1])
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    ax.set_title("spectral_features of the public 'generated' split", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)


def main(argv=None):
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SOLUTION, help="folder to write the PNGs into")
    out = parser.parse_args(argv).out
    out.mkdir(parents=True, exist_ok=True)
    picked = forgery_example(out / "forgery_example.png")
    spectra(out / "spectra.png")
    generated_examples(out / "generated_examples.png")
    for name in ("forgery_example.png", "spectra.png", "generated_examples.png"):
        print(f"{out / name}  {(out / name).stat().st_size / 1024:.1f} KB")
    print("forgery_example.png rows (kind, photo, index in forgery_split('manipulated')): "
          + "; ".join(f"{k}, {p}, {i}" for k, p, i in picked))


if __name__ == "__main__":
    main()
