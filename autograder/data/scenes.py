"""Synthetic shape scenes for assignment 4 (segmentation + detection), stored and read in COCO format.

A scene is a 64 x 64 RGB image with 1 to 4 objects of 3 classes (circle, rectangle, triangle) on a
textured, noisy background, with colour jitter, so that no threshold on a pixel's colour solves it.
Objects may overlap (a later object hides part of an earlier one, which keeps at least half of its
area). Per scene: a semantic mask (0 = background, c + 1 = class c) and one box per object, the tight
box of its visible pixels in COCO's [x, y, w, h] (pixel edges: a box covering columns 3..7 has x = 3,
w = 5).

Generation is deterministic (numpy only: `generate_scenes(n, seed)`, scene i drawn from the seed
sequence [seed, i]) and takes about a second for 2,000 scenes. `load_scenes("train" | "val")` writes
each public split once as a COCO folder under the user's cache folder ($XDG_CACHE_HOME/autograder,
else ~/.cache/autograder) with a sha256 of its files, checks that sha256 on every later load, and
regenerates a cache that does not match. `load_coco(folder, split)` reads any COCO-format folder laid
out like COCO 2017 (`annotations/instances_<split>.json`, images in `<split>/`), so a course can swap
in a real set (a traffic-scene subset, say): categories become labels 0..C-1 in the order of their
ids, and images that are not `size` x `size` are resized (boxes scaled with them).
"""
import hashlib
import json
import os
from pathlib import Path

import numpy as np

from .manifest import DatasetError, shown

CLASSES = ("circle", "rectangle", "triangle")
SIZE = 64
SPLITS = {"train": (2000, 4_001), "val": (500, 4_002)}  # split -> (number of scenes, seed); the test split is hidden
VERSION = 1  # bump when the drawing changes: the cache folder is named after it
MIN_AREA = 24  # pixels an object keeps visible, at least
MIN_CONTRAST = 70.0  # mean absolute difference of an object's colour from the background colour, 0..255


# --- drawing -----------------------------------------------------------------------------------------------------

def _interpolation_matrix(n_out, n_in):
    """(n_out, n_in) matrix of linear interpolation weights from n_in grid points onto n_out pixels."""
    pos = (np.arange(n_out) + 0.5) * (n_in - 1) / n_out
    lo = np.minimum(np.floor(pos).astype(int), n_in - 2)
    frac = pos - lo
    A = np.zeros((n_out, n_in))
    A[np.arange(n_out), lo] = 1 - frac
    A[np.arange(n_out), lo + 1] = frac
    return A


def _background(rng, size):
    """A smooth random colour field plus stripes at a random angle: (size, size, 3) float, about 0..255."""
    base = rng.uniform(30, 225, size=3)
    grid = rng.normal(0, 28, size=(3, 7, 7))
    A = _interpolation_matrix(size, 7)
    field = (A @ grid @ A.T).transpose(1, 2, 0)  # (size, size, 3)
    yy, xx = np.mgrid[0:size, 0:size]
    angle, period = rng.uniform(0, np.pi), rng.uniform(6, 16)
    stripes = np.sin(2 * np.pi * (xx * np.cos(angle) + yy * np.sin(angle)) / period + rng.uniform(0, 2 * np.pi))
    stripes = stripes[..., None] * rng.uniform(0, 18, size=3)
    return base + field + stripes, base


def _shape_mask(rng, kind, size):
    """A boolean (size, size) mask of one object of class `kind` (0 circle, 1 rectangle, 2 triangle), inside the image."""
    yy, xx = np.mgrid[0:size, 0:size] + 0.5  # pixel centres
    if kind == 0:
        r = rng.uniform(5, 12)
        cx, cy = rng.uniform(r + 1, size - r - 1, size=2)
        return (xx - cx) ** 2 + (yy - cy) ** 2 <= r ** 2
    if kind == 1:
        w, h = rng.uniform(9, 26, size=2)
        x0, y0 = rng.uniform(1, size - w - 1), rng.uniform(1, size - h - 1)
        return (xx >= x0) & (xx < x0 + w) & (yy >= y0) & (yy < y0 + h)
    radius = rng.uniform(7, 15)
    cx, cy = rng.uniform(radius + 1, size - radius - 1, size=2)
    angles = rng.uniform(0, 2 * np.pi) + np.arange(3) * 2 * np.pi / 3 + rng.uniform(-0.3, 0.3, size=3)
    px, py = cx + radius * np.cos(angles), cy + radius * np.sin(angles)
    inside = np.ones((size, size), dtype=bool)
    for i in range(3):  # the vertices go counter-clockwise: inside is left of every edge
        j = (i + 1) % 3
        inside &= (px[j] - px[i]) * (yy - py[i]) - (py[j] - py[i]) * (xx - px[i]) >= 0
    return inside


def _object_colour(rng, background_colour):
    for _ in range(100):
        colour = rng.uniform(0, 255, size=3)
        if np.abs(colour - background_colour).mean() >= MIN_CONTRAST:
            return colour
    return 255 - background_colour


def _scene(rng, size):
    """One scene: image uint8 (size, size, 3), mask uint8 (size, size), boxes float32 (k, 4), labels int64 (k,),
    owner int8 (size, size): the object each pixel shows, -1 for background."""
    image, bg_colour = _background(rng, size)
    owner = np.full((size, size), -1)  # which object each pixel shows, -1 for background
    kinds, areas = [], []
    for _ in range(rng.integers(1, 5)):
        kind = int(rng.integers(0, 3))
        for _attempt in range(30):
            shape = _shape_mask(rng, kind, size)
            trial = np.where(shape, len(kinds), owner)
            visible = np.bincount(trial[trial >= 0].ravel(), minlength=len(kinds) + 1)
            if visible[-1] >= MIN_AREA and all(visible[j] >= max(MIN_AREA, areas[j] / 2) for j in range(len(kinds))):
                owner = trial
                kinds.append(kind)
                areas.append(int(shape.sum()))
                break
    boxes, labels = [], []
    for j, kind in enumerate(kinds):
        colour = _object_colour(rng, bg_colour)
        pixels = owner == j
        shading = rng.normal(0, 6, size=(size, size, 1)) + rng.uniform(-12, 12, size=3)
        image = np.where(pixels[..., None], colour + shading, image)
        rows, cols = np.nonzero(pixels)
        boxes.append([cols.min(), rows.min(), cols.max() + 1 - cols.min(), rows.max() + 1 - rows.min()])
        labels.append(kind)
    gain = rng.uniform(0.8, 1.2) * rng.uniform(0.9, 1.1, size=3)  # colour jitter of the whole image
    image = image * gain + rng.normal(0, 10, size=image.shape)  # sensor noise
    mask = np.where(owner >= 0, np.array(kinds + [0])[owner] + 1, 0)
    return (np.clip(np.rint(image), 0, 255).astype(np.uint8), mask.astype(np.uint8),
            np.array(boxes, dtype=np.float32).reshape(-1, 4), np.array(labels, dtype=np.int64), owner.astype(np.int8))


def generate_scenes(n, seed, size=SIZE):
    """
    Draw n scenes, deterministically: scene i comes from the seed sequence [seed, i].

    Inputs:
    - n: number of scenes.
    - seed: integer seed.
    - size: image height and width in pixels.

    Returns a dict with:
    - images: uint8 array (n, size, size, 3), RGB.
    - masks: uint8 array (n, size, size): 0 background, c + 1 for a pixel of class c.
    - boxes: list of n float32 arrays (k_i, 4), one [x, y, w, h] per object, in pixels.
    - labels: list of n int64 arrays (k_i,), each object's class 0..2 (CLASSES).
    - instances: int8 array (n, size, size): which object (index into boxes) each pixel shows, -1 for background.
    - image_ids: int64 array (n,), 1..n.
    - categories: list of the class names, CLASSES.
    """
    scenes = [_scene(np.random.default_rng([seed, i]), size) for i in range(n)]
    return {
        "images": np.stack([s[0] for s in scenes]).reshape(n, size, size, 3),
        "masks": np.stack([s[1] for s in scenes]).reshape(n, size, size),
        "boxes": [s[2] for s in scenes],
        "labels": [s[3] for s in scenes],
        "instances": np.stack([s[4] for s in scenes]).reshape(n, size, size),
        "image_ids": np.arange(1, n + 1, dtype=np.int64),
        "categories": list(CLASSES),
    }


# --- COCO format -------------------------------------------------------------------------------------------------

def coco_dict(split, file_names=None):
    """
    A COCO instances dict for a split (as generate_scenes returns it): images, annotations with bbox
    [x, y, w, h], area (visible pixels), iscrowd 0 and an RLE segmentation per object, categories 1..C.
    """
    from pycocotools import mask as mask_utils  # imported here: only COCO users need it

    ids = [int(i) for i in split["image_ids"]]
    names = file_names or [f"{i:06d}.png" for i in ids]
    H, W = split["masks"].shape[1:]
    images = [{"id": i, "file_name": name, "height": int(H), "width": int(W)} for i, name in zip(ids, names)]
    annotations = []
    for image_id, owner, boxes, labels in zip(ids, split["instances"], split["boxes"], split["labels"]):
        for j, (box, label) in enumerate(zip(boxes, labels)):
            instance = owner == j
            rle = mask_utils.encode(np.asfortranarray(instance.astype(np.uint8)))
            annotations.append({
                "id": len(annotations) + 1, "image_id": image_id, "category_id": int(label) + 1,
                "bbox": [float(v) for v in box], "area": float(instance.sum()), "iscrowd": 0,
                "segmentation": {"size": [int(H), int(W)], "counts": rle["counts"].decode("ascii")},
            })
    categories = [{"id": c + 1, "name": name, "supercategory": "shape"} for c, name in enumerate(split["categories"])]
    return {"info": {"description": "autograder synthetic shape scenes", "version": str(VERSION)},
            "licenses": [], "images": images, "annotations": annotations, "categories": categories}


def write_coco(split, folder, name):
    """
    Write a split as a COCO folder: images as PNG in `folder/name/`, annotations in
    `folder/annotations/instances_<name>.json`. Returns the annotation file's path.
    """
    from PIL import Image

    folder = Path(folder)
    (folder / name).mkdir(parents=True, exist_ok=True)
    (folder / "annotations").mkdir(parents=True, exist_ok=True)
    coco = coco_dict(split)
    for entry, image in zip(coco["images"], split["images"]):
        Image.fromarray(image).save(folder / name / entry["file_name"])
    path = folder / "annotations" / f"instances_{name}.json"
    path.write_text(json.dumps(coco))
    return path


def _paint(ann_masks, H, W):
    """Paint instance masks (mask, label, box index or -1) largest first, so small objects stay on top:
    the semantic mask uint8 (H, W) and the owner map int8 (H, W)."""
    mask, owner = np.zeros((H, W), dtype=np.uint8), np.full((H, W), -1, dtype=np.int8)
    for inst, label, index in sorted(ann_masks, key=lambda m: -int(m[0].sum())):
        mask[inst.astype(bool)] = label + 1
        owner[inst.astype(bool)] = index
    return mask, owner


def load_coco(folder, split, size=SIZE):
    """
    Read a COCO-format split: `folder/annotations/instances_<split>.json` and the images in `folder/<split>/`.

    Categories become labels 0..C-1 in increasing order of their ids; crowd annotations (iscrowd 1)
    are painted into the semantic mask but give no box. Images not `size` x `size` are resized
    (bilinear; masks nearest), their boxes scaled with them. Segmentations may be RLE (compressed or
    not) or polygons.

    Returns a dict like generate_scenes': images, masks, boxes, labels, instances, image_ids, categories.
    """
    from PIL import Image
    from pycocotools import mask as mask_utils

    folder = Path(folder)
    path = folder / "annotations" / f"instances_{split}.json"
    if not path.is_file():
        raise DatasetError(f"No COCO annotations for split '{split}': expected {shown(path)}.")
    try:
        coco = json.loads(path.read_text())
        categories = sorted(coco["categories"], key=lambda c: c["id"])
        label_of = {c["id"]: i for i, c in enumerate(categories)}
        per_image = {img["id"]: [] for img in coco["images"]}
        for ann in coco["annotations"]:
            per_image[ann["image_id"]].append(ann)
    except (json.JSONDecodeError, KeyError, TypeError) as e:
        raise DatasetError(f"COCO annotations {shown(path)} are malformed ({type(e).__name__}: {e}).") from None
    images, masks, owners, all_boxes, all_labels, ids = [], [], [], [], [], []
    for entry in sorted(coco["images"], key=lambda e: e["id"]):
        image_path = folder / split / entry["file_name"]
        if not image_path.is_file():
            raise DatasetError(f"COCO image {shown(image_path)} listed in {shown(path)} is missing.")
        with Image.open(image_path) as img:
            img = img.convert("RGB")
            W, H = img.size
            if (W, H) != (size, size):
                img = img.resize((size, size), Image.BILINEAR)
            images.append(np.asarray(img, dtype=np.uint8))
        sx, sy = size / W, size / H
        ann_masks, boxes, labels = [], [], []
        for ann in entry_annotations(per_image[entry["id"]]):
            seg = ann["segmentation"]
            if isinstance(seg, list):  # polygons
                rle = mask_utils.merge(mask_utils.frPyObjects(seg, H, W))
            elif isinstance(seg.get("counts"), list):  # uncompressed RLE
                rle = mask_utils.frPyObjects(seg, H, W)
            else:
                rle = seg
            crowd = bool(ann.get("iscrowd", 0))
            ann_masks.append((mask_utils.decode(rle), label_of[ann["category_id"]], -1 if crowd else len(boxes)))
            if not crowd:
                x, y, w, h = ann["bbox"]
                boxes.append([x * sx, y * sy, w * sx, h * sy])
                labels.append(label_of[ann["category_id"]])
        mask, owner = _paint(ann_masks, H, W)
        if (W, H) != (size, size):
            mask = np.asarray(Image.fromarray(mask).resize((size, size), Image.NEAREST))
            owner = np.asarray(Image.fromarray(owner.astype(np.int16)).resize((size, size), Image.NEAREST), np.int8)
        masks.append(mask)
        owners.append(owner)
        all_boxes.append(np.array(boxes, dtype=np.float32).reshape(-1, 4))
        all_labels.append(np.array(labels, dtype=np.int64))
        ids.append(entry["id"])
    n = len(images)
    return {"images": np.stack(images).reshape(n, size, size, 3) if n else np.zeros((0, size, size, 3), np.uint8),
            "masks": np.stack(masks).reshape(n, size, size) if n else np.zeros((0, size, size), np.uint8),
            "boxes": all_boxes, "labels": all_labels,
            "instances": np.stack(owners).reshape(n, size, size) if n else np.zeros((0, size, size), np.int8),
            "image_ids": np.array(ids, dtype=np.int64),
            "categories": [c["name"] for c in categories]}


def entry_annotations(annotations):
    """An image's annotations in a fixed order (by id)."""
    return sorted(annotations, key=lambda a: a["id"])


# --- the cache ---------------------------------------------------------------------------------------------------

def cache_dir():
    """Where generated splits are kept: $XDG_CACHE_HOME/autograder, else ~/.cache/autograder."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "autograder" / f"scenes-v{VERSION}"


def folder_sha256(folder, split):
    """sha256 over a COCO split's annotation file and its images (names and bytes, in name order)."""
    folder = Path(folder)
    digest = hashlib.sha256()
    files = [folder / "annotations" / f"instances_{split}.json"] + sorted((folder / split).glob("*.png"))
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _cached(split):
    n, seed = SPLITS[split]
    root = cache_dir()
    stamp = root / f"{split}.sha256"
    if stamp.is_file():
        try:
            if folder_sha256(root, split) == stamp.read_text().strip():
                return load_coco(root, split)
        except (OSError, DatasetError):
            pass  # a broken cache is regenerated below
    data = generate_scenes(n, seed)
    try:
        write_coco(data, root, split)
        stamp.write_text(folder_sha256(root, split) + "\n")
    except OSError:
        pass  # a read-only cache folder (a grading sandbox): use the scenes without keeping them
    return data


def load_scenes(split, folder=None, size=SIZE):
    """
    A split of scenes as generate_scenes returns it.

    Inputs:
    - split: "train" (2,000 scenes) or "val" (500 scenes) of the generated set; with `folder`, any
      split name that folder holds (e.g. "val2017").
    - folder: a COCO-format folder to read instead of the generated scenes (see load_coco).
    - size: image size (generated scenes are always SIZE).
    """
    if folder is not None:
        return load_coco(folder, split, size=size)
    if split not in SPLITS:
        raise DatasetError(f"Unknown scenes split '{split}': the generated splits are {', '.join(SPLITS)}.")
    return _cached(split)
