"""Assignment 4's scenes: seeded 64x64 RGB images of circles, rectangles and triangles, with a semantic mask
and one box per visible object, cached on disk with a checksum; written to and read from COCO folders.

A scene is a textured, noisy background (a smooth colour field, a stripe pattern, pixel noise) with 1-4
objects of random size, colour and (for triangles) rotation drawn over it with scikit-image's drawing
functions. Objects may overlap; a later object hides what it covers, and an object stays only when at
least half of it and at least MIN_VISIBLE pixels remain visible. Boxes are COCO's [x, y, w, h] in pixels
around the visible part. Classes differ by shape, never by colour, so no threshold solves the task.
"""
import contextlib
import io
import json
from pathlib import Path

import numpy as np

from .cache import cached_arrays
from .manifest import DatasetError, shown

CLASSES = ("circle", "rectangle", "triangle")   # category ids 1, 2, 3 (0 is the background in the masks)
SIZE = 64
MIN_VISIBLE = 16
SPLITS = {"train": (2000, 4), "val": (500, 5)}   # name -> (scenes, seed); the hidden test split lives in tests/hidden
VERSION = 1                                       # bump when the drawing changes: cached files are then remade


def _background(rng):
    """A smooth random colour field with stripes and noise, float (SIZE, SIZE, 3) in 0..255."""
    coarse = rng.uniform(30, 225, size=(4, 4, 3))
    grid = np.linspace(0, 3, SIZE)
    i = np.clip(grid.astype(int), 0, 2)
    t = (grid - i)[:, None]
    rows = coarse[i] * (1 - t)[:, :, None] + coarse[i + 1] * t[:, :, None]          # (SIZE, 4, 3)
    field = rows[:, i] * (1 - t.T)[:, :, None] + rows[:, i + 1] * t.T[:, :, None]     # (SIZE, SIZE, 3)
    yy, xx = np.mgrid[:SIZE, :SIZE]
    angle, period = rng.uniform(0, np.pi), rng.uniform(4, 16)
    stripes = np.sin((xx * np.cos(angle) + yy * np.sin(angle)) * 2 * np.pi / period)
    field += rng.uniform(0, 25) * stripes[:, :, None] * rng.uniform(-1, 1, size=3)
    return field + rng.normal(0, rng.uniform(3, 12), size=field.shape)


def _shape_pixels(rng, label):
    """Row and column indices of one object of class `label` (1..3) somewhere in the image."""
    from skimage import draw
    size = rng.uniform(10, 26)
    cy, cx = rng.uniform(size / 2, SIZE - size / 2, size=2)
    if label == 1:
        return draw.disk((cy, cx), size / 2, shape=(SIZE, SIZE))
    if label == 2:
        h, w = size * rng.uniform(0.6, 1.0, size=2)
        rr, cc = draw.rectangle((cy - h / 2, cx - w / 2), extent=(h, w), shape=(SIZE, SIZE))
        return rr.ravel(), cc.ravel()
    turn = rng.uniform(0, 2 * np.pi)
    corners = turn + np.array([0, 2 * np.pi / 3, 4 * np.pi / 3]) + rng.uniform(-0.3, 0.3, size=3)
    return draw.polygon(cy + size / 2 * np.sin(corners), cx + size / 2 * np.cos(corners), shape=(SIZE, SIZE))


def _scene(rng):
    """One scene: image uint8 (SIZE, SIZE, 3), mask uint8 (SIZE, SIZE), instance map uint8, labels (k,)."""
    image = _background(rng)
    mask = np.zeros((SIZE, SIZE), np.uint8)
    instances = np.zeros((SIZE, SIZE), np.uint8)
    labels = []
    for _ in range(rng.integers(1, 5)):
        for _attempt in range(20):
            label = int(rng.integers(1, 4))
            rr, cc = _shape_pixels(rng, label)
            trial = instances.copy()
            trial[rr, cc] = len(labels) + 1
            areas = np.bincount(trial.ravel(), minlength=len(labels) + 2)[1:]
            before = np.bincount(instances.ravel(), minlength=len(labels) + 2)[1:]
            before[-1] = len(rr)
            if len(rr) >= MIN_VISIBLE and np.all(areas >= np.maximum(MIN_VISIBLE, before / 2)):
                break
        else:
            continue
        colour = rng.uniform(0, 255, size=3)
        while np.abs(colour - image[rr, cc].mean(axis=0)).max() < 60:
            colour = rng.uniform(0, 255, size=3)
        image[rr, cc] = colour + rng.normal(0, rng.uniform(2, 10), size=(len(rr), 3))
        instances, mask[rr, cc] = trial, label
        labels.append(label)
    contrast, brightness = rng.uniform(0.7, 1.2), rng.uniform(-25, 25)
    image = (image - 128) * contrast + 128 + brightness + rng.normal(0, 4, size=image.shape)
    return np.clip(image, 0, 255).astype(np.uint8), mask, instances, np.array(labels, np.int64)


def boxes_of(instances, count):
    """COCO boxes [x, y, w, h] (float32, (count, 4)) around the pixels of instances 1..count."""
    boxes = np.zeros((count, 4), np.float32)
    for i in range(count):
        rows, cols = np.nonzero(instances == i + 1)
        boxes[i] = [cols.min(), rows.min(), cols.max() - cols.min() + 1, rows.max() - rows.min() + 1]
    return boxes


def make_scenes(n, seed):
    """
    `n` scenes drawn with numpy's generator seeded `seed` (the same scenes on every machine).

    Returns a dict with:
    - images: uint8 (n, 64, 64, 3)
    - masks: uint8 (n, 64, 64), 0 background, 1 circle, 2 rectangle, 3 triangle
    - instances: uint8 (n, 64, 64), 0 background, k for the k-th object of the scene
    - boxes: list of n float32 arrays (k_i, 4), COCO [x, y, w, h] in pixels, one row per object
    - labels: list of n int64 arrays (k_i,), the objects' classes 1..3
    """
    rng = np.random.default_rng(seed)
    images, masks, instances, labels = zip(*(_scene(rng) for _ in range(n)))
    boxes = [boxes_of(inst, len(lab)) for inst, lab in zip(instances, labels)]
    return {"images": np.stack(images), "masks": np.stack(masks), "instances": np.stack(instances),
            "boxes": boxes, "labels": list(labels)}


def _flat(scenes):
    counts = np.array([len(b) for b in scenes["boxes"]], np.int64)
    return {"images": scenes["images"], "masks": scenes["masks"], "instances": scenes["instances"],
            "counts": counts, "boxes": np.concatenate(scenes["boxes"]).reshape(-1, 4),
            "labels": np.concatenate(scenes["labels"]).astype(np.int64)}


def _unflat(arrays):
    cuts = np.cumsum(arrays["counts"])[:-1]
    return {"images": arrays["images"], "masks": arrays["masks"], "instances": arrays["instances"],
            "boxes": np.split(arrays["boxes"], cuts), "labels": np.split(arrays["labels"], cuts)}


def cached_scenes(n, seed):
    """make_scenes(n, seed), kept in cache_dir("scenes") with its sha256 and rebuilt when missing or corrupt."""
    return _unflat(cached_arrays("scenes", f"scenes-v{VERSION}-{n}-{seed}", lambda: _flat(make_scenes(n, seed))))


def scene_split(name):
    """The public split `name` ("train": 2,000 scenes, "val": 500), as make_scenes returns it."""
    if name not in SPLITS:
        raise DatasetError(f"There is no scene split '{name}'; the splits are {', '.join(SPLITS)}.")
    return cached_scenes(*SPLITS[name])


# ---- COCO folders ------------------------------------------------------------------------------------------

def coco_dataset(scenes):
    """The scenes' annotations as a COCO instances dict (RLE segmentation of each object's visible pixels)."""
    from pycocotools import mask as rle
    images, annotations = [], []
    for i, (inst, boxes, labels) in enumerate(zip(scenes["instances"], scenes["boxes"], scenes["labels"])):
        images.append({"id": i + 1, "file_name": f"{i + 1:06d}.png", "height": int(inst.shape[0]),
                       "width": int(inst.shape[1])})
        for k, (box, label) in enumerate(zip(boxes, labels)):
            code = rle.encode(np.asfortranarray((inst == k + 1).astype(np.uint8)))
            annotations.append({"id": len(annotations) + 1, "image_id": i + 1, "category_id": int(label),
                                "bbox": [float(v) for v in box], "area": float(rle.area(code)), "iscrowd": 0,
                                "segmentation": {"size": code["size"], "counts": code["counts"].decode()}})
    categories = [{"id": c + 1, "name": name, "supercategory": "shape"} for c, name in enumerate(CLASSES)]
    return {"images": images, "annotations": annotations, "categories": categories}


def write_coco(folder, split, scenes):
    """Write the scenes as a COCO folder: FOLDER/SPLIT/000001.png ... and FOLDER/annotations/instances_SPLIT.json."""
    from PIL import Image
    folder = Path(folder)
    (folder / split).mkdir(parents=True, exist_ok=True)
    (folder / "annotations").mkdir(exist_ok=True)
    dataset = coco_dataset(scenes)
    for entry, image in zip(dataset["images"], scenes["images"]):
        Image.fromarray(image).save(folder / split / entry["file_name"])
    (folder / "annotations" / f"instances_{split}.json").write_text(json.dumps(dataset))
    return folder


def load_coco(folder, split, size=SIZE):
    """
    A COCO folder (FOLDER/annotations/instances_SPLIT.json, images under FOLDER/SPLIT/) as make_scenes returns
    scenes, each image resized to size x size (boxes and masks with it). Categories become classes 1..C in the
    order of their ids; crowd annotations are skipped; later annotations cover earlier ones in the masks.
    Also returns "categories": the class names.
    """
    from PIL import Image
    from pycocotools.coco import COCO
    folder = Path(folder)
    path = folder / "annotations" / f"instances_{split}.json"
    if not path.is_file():
        raise DatasetError(f"No COCO annotations for split '{split}': expected {shown(path)}.")
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            coco = COCO(str(path))
    except (ValueError, KeyError, TypeError) as e:
        raise DatasetError(f"The COCO file {shown(path)} could not be read ({type(e).__name__}: {e}).") from None
    cat_ids = sorted(coco.getCatIds())
    to_class = {cat: c + 1 for c, cat in enumerate(cat_ids)}
    out = {"images": [], "masks": [], "instances": [], "boxes": [], "labels": []}
    for image_id in sorted(coco.getImgIds()):
        info = coco.loadImgs(image_id)[0]
        file = folder / split / info["file_name"]
        try:
            image = Image.open(file).convert("RGB")
        except OSError as e:
            raise DatasetError(f"The COCO image {shown(file)} could not be read ({e}).") from None
        sx, sy = size / image.width, size / image.height
        anns = [a for a in coco.loadAnns(coco.getAnnIds(imgIds=image_id)) if not a.get("iscrowd", 0)]
        instances = np.zeros((info["height"], info["width"]), np.uint8)
        for k, ann in enumerate(anns):
            instances[coco.annToMask(ann) > 0] = k + 1
        instances = np.asarray(Image.fromarray(instances).resize((size, size), Image.NEAREST))
        labels = np.array([to_class[a["category_id"]] for a in anns], np.int64)
        x, y, w, h = (np.array([a["bbox"] for a in anns], np.float32).reshape(-1, 4) * [sx, sy, sx, sy]).T
        out["images"].append(np.asarray(image.resize((size, size), Image.BILINEAR)))
        out["instances"].append(instances)
        out["masks"].append(np.concatenate([[0], labels])[instances].astype(np.uint8))
        out["boxes"].append(np.stack([x, y, w, h], axis=1).astype(np.float32))
        out["labels"].append(labels)
    if not out["images"]:
        raise DatasetError(f"The COCO file {shown(path)} lists no images.")
    for key in ("images", "masks", "instances"):
        out[key] = np.stack(out[key])
    out["categories"] = [coco.loadCats(c)[0]["name"] for c in cat_ids]
    return out
