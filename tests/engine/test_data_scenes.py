"""Tests of autograder.data.scenes: the shape-scene generator, its COCO files, the cache and the COCO loader."""
import json

import numpy as np
import pytest
from PIL import Image

from autograder.data import DatasetError, generate_scenes, load_coco, load_scenes, write_coco
from autograder.data import scenes


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """XDG_CACHE_HOME in tmp_path, and public splits shrunk to a few scenes so the tests stay fast."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setitem(scenes.SPLITS, "train", (12, scenes.SPLITS["train"][1]))
    monkeypatch.setitem(scenes.SPLITS, "val", (8, scenes.SPLITS["val"][1]))
    return tmp_path / "xdg" / "autograder" / f"scenes-v{scenes.VERSION}"


def assert_same_split(a, b):
    for key in ("images", "masks", "instances", "image_ids"):
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
        assert a[key].dtype == b[key].dtype, key
    assert len(a["boxes"]) == len(b["boxes"])
    for ba, bb, la, lb in zip(a["boxes"], b["boxes"], a["labels"], b["labels"]):
        np.testing.assert_array_equal(ba, bb)
        np.testing.assert_array_equal(la, lb)
    assert a["categories"] == b["categories"]


# --- the generator -----------------------------------------------------------------------------------------------

def test_generation_is_deterministic_and_seeded():
    a, b, c = generate_scenes(10, seed=7), generate_scenes(10, seed=7), generate_scenes(10, seed=8)
    assert_same_split(a, b)
    assert not np.array_equal(a["images"], c["images"])
    # Scene i depends only on (seed, i): a longer split starts with the same scenes.
    np.testing.assert_array_equal(generate_scenes(4, seed=7)["images"], a["images"][:4])


def test_scenes_have_the_documented_shapes_and_dtypes():
    d = generate_scenes(30, seed=1)
    assert d["images"].shape == (30, 64, 64, 3) and d["images"].dtype == np.uint8
    assert d["masks"].shape == (30, 64, 64) and d["masks"].dtype == np.uint8
    assert d["instances"].shape == (30, 64, 64) and d["instances"].dtype == np.int8
    assert len(d["boxes"]) == len(d["labels"]) == 30
    assert d["categories"] == ["circle", "rectangle", "triangle"]
    np.testing.assert_array_equal(d["image_ids"], np.arange(1, 31))
    for boxes, labels in zip(d["boxes"], d["labels"]):
        assert boxes.dtype == np.float32 and boxes.shape == (len(labels), 4)
        assert labels.dtype == np.int64 and 1 <= len(labels) <= 4
        assert set(labels.tolist()) <= {0, 1, 2}


def test_boxes_and_masks_describe_the_visible_objects():
    d = generate_scenes(40, seed=2)
    for mask, owner, boxes, labels in zip(d["masks"], d["instances"], d["boxes"], d["labels"]):
        expected_mask = np.where(owner >= 0, labels[np.maximum(owner, 0)] + 1, 0)
        np.testing.assert_array_equal(mask, expected_mask)
        for j, (x, y, w, h) in enumerate(boxes):
            rows, cols = np.nonzero(owner == j)
            assert len(rows) >= scenes.MIN_AREA
            # COCO's [x, y, w, h] in pixel edges: the tight box of the object's visible pixels.
            assert (x, y, w, h) == (cols.min(), rows.min(), cols.max() + 1 - cols.min(), rows.max() + 1 - rows.min())
            assert 0 <= x and 0 <= y and x + w <= 64 and y + h <= 64


def test_split_is_varied_and_not_solved_by_a_colour_threshold():
    d = generate_scenes(150, seed=3)
    labels = np.concatenate(d["labels"])
    counts = np.bincount(labels, minlength=3)
    assert counts.min() > 0.25 * len(labels), f"classes unbalanced: {counts}"
    per_scene = np.array([len(b) for b in d["boxes"]])
    assert set(per_scene.tolist()) == {1, 2, 3, 4}
    overlapping = 0
    for boxes in d["boxes"]:  # some objects overlap (their boxes intersect)
        x1, y1 = boxes[:, 0], boxes[:, 1]
        x2, y2 = x1 + boxes[:, 2], y1 + boxes[:, 3]
        iw = np.minimum(x2[:, None], x2[None]) - np.maximum(x1[:, None], x1[None])
        ih = np.minimum(y2[:, None], y2[None]) - np.maximum(y1[:, None], y1[None])
        overlapping += int(np.triu((iw > 0) & (ih > 0), 1).any())
    assert overlapping >= 10
    # No threshold on one channel or on the grey value separates objects from the background.
    pixels = d["images"].reshape(-1, 3).astype(np.float64)
    foreground = d["masks"].ravel() > 0
    best = 0.0
    for feature in (pixels[:, 0], pixels[:, 1], pixels[:, 2], pixels.mean(1)):
        for t in np.linspace(0, 255, 35):
            for predicted in (feature > t, feature <= t):
                best = max(best, (predicted & foreground).sum() / (predicted | foreground).sum())
    assert best < 0.3, f"a colour threshold finds the objects with IoU {best:.2f}"


def test_generation_is_fast():
    import time
    started = time.perf_counter()
    generate_scenes(200, seed=4)
    assert time.perf_counter() - started < 5.0  # about 0.2 s here; 2,000 scenes in 2 to 4 s


# --- COCO files --------------------------------------------------------------------------------------------------

def test_coco_files_round_trip_and_read_with_pycocotools(tmp_path):
    from pycocotools import mask as mask_utils
    from pycocotools.coco import COCO

    d = generate_scenes(6, seed=5)
    path = write_coco(d, tmp_path / "coco", "demo")
    assert path == tmp_path / "coco" / "annotations" / "instances_demo.json"
    assert sorted(p.name for p in (tmp_path / "coco" / "demo").iterdir()) == [f"{i:06d}.png" for i in range(1, 7)]
    assert_same_split(load_coco(tmp_path / "coco", "demo"), d)

    raw = json.loads(path.read_text())
    assert [c["id"] for c in raw["categories"]] == [1, 2, 3]
    coco = COCO(str(path))
    assert len(coco.getImgIds()) == 6 and len(coco.getAnnIds()) == sum(len(b) for b in d["boxes"])
    for ann in coco.loadAnns(coco.getAnnIds()):
        assert set(ann) >= {"id", "image_id", "category_id", "bbox", "area", "iscrowd", "segmentation"}
        assert ann["iscrowd"] == 0 and ann["category_id"] in (1, 2, 3) and len(ann["bbox"]) == 4
        rle = coco.annToRLE(ann)
        assert mask_utils.area(rle) == ann["area"]
        x, y, w, h = mask_utils.toBbox(rle)
        assert [x, y, w, h] == ann["bbox"]


def test_loader_reads_a_hand_made_coco_folder(tmp_path):
    """The swap a course makes: a real COCO-format set with other categories, sizes and segmentation styles."""
    from pycocotools import mask as mask_utils

    root = tmp_path / "traffic"
    (root / "annotations").mkdir(parents=True)
    (root / "val2017").mkdir()
    Image.fromarray(np.full((32, 48, 3), 90, np.uint8)).save(root / "val2017" / "a.jpg")  # 48 wide, 32 high
    Image.fromarray(np.full((64, 64, 3), 200, np.uint8)).save(root / "val2017" / "b.png")
    car = np.zeros((32, 48), np.uint8)
    car[8:16, 4:20] = 1
    compressed = mask_utils.encode(np.asfortranarray(car))
    person = np.zeros((64, 64), np.uint8)
    person[10:30, 40:50] = 1
    uncompressed = {"size": [64, 64], "counts": _uncompressed_rle(person)}
    coco = {
        "images": [{"id": 11, "file_name": "a.jpg", "height": 32, "width": 48},
                   {"id": 12, "file_name": "b.png", "height": 64, "width": 64}],
        "categories": [{"id": 7, "name": "person"}, {"id": 3, "name": "car"}],
        "annotations": [
            {"id": 1, "image_id": 11, "category_id": 3, "bbox": [4, 8, 16, 8], "area": 128, "iscrowd": 0,
             "segmentation": {"size": [32, 48], "counts": compressed["counts"].decode()}},
            {"id": 2, "image_id": 11, "category_id": 7, "bbox": [30, 20, 10, 10], "area": 50, "iscrowd": 0,
             "segmentation": [[30, 20, 40, 20, 40, 30]]},  # a polygon (a triangle)
            {"id": 3, "image_id": 12, "category_id": 7, "bbox": [40, 10, 10, 20], "area": 200, "iscrowd": 0,
             "segmentation": uncompressed},
            {"id": 4, "image_id": 12, "category_id": 3, "bbox": [0, 0, 8, 8], "area": 64, "iscrowd": 1,
             "segmentation": {"size": [64, 64], "counts": _uncompressed_rle(_square(64, 0, 8))}},
        ],
    }
    (root / "annotations" / "instances_val2017.json").write_text(json.dumps(coco))

    d = load_scenes("val2017", folder=root)
    assert d["categories"] == ["car", "person"]  # in order of category id: car (3) -> 0, person (7) -> 1
    np.testing.assert_array_equal(d["image_ids"], [11, 12])
    assert d["images"].shape == (2, 64, 64, 3) and d["masks"].shape == (2, 64, 64)
    # Image a is resized from 48 x 32 to 64 x 64: x scales by 4/3, y by 2.
    np.testing.assert_allclose(d["boxes"][0], [[4 * 4 / 3, 16, 16 * 4 / 3, 16], [40, 40, 40 / 3, 20]], rtol=1e-6)
    np.testing.assert_array_equal(d["labels"][0], [0, 1])
    assert d["masks"][0][24, 16] == 1 and d["masks"][0][2, 2] == 0  # inside the car's resized box; background
    # Image b: the crowd annotation paints the mask but gives no box.
    np.testing.assert_array_equal(d["boxes"][1], [[40, 10, 10, 20]])
    np.testing.assert_array_equal(d["labels"][1], [1])
    assert d["masks"][1][20, 45] == 2 and d["masks"][1][3, 3] == 1 and d["masks"][1][50, 10] == 0
    assert d["instances"][1][3, 3] == -1 and d["instances"][1][20, 45] == 0


def _square(n, start, stop):
    m = np.zeros((n, n), np.uint8)
    m[start:stop, start:stop] = 1
    return m


def _uncompressed_rle(mask):
    """COCO's uncompressed RLE: run lengths over the column-major pixels, starting with a run of zeros."""
    flat = mask.ravel(order="F")
    changes = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate([[0], changes, [flat.size]])
    runs = np.diff(bounds).tolist()
    return ([0] + runs) if flat[0] == 1 else runs


def test_loader_errors_are_one_sentence(tmp_path):
    with pytest.raises(DatasetError, match=r"No COCO annotations for split 'val'.*instances_val\.json"):
        load_coco(tmp_path, "val")
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations" / "instances_val.json").write_text("{not json")
    with pytest.raises(DatasetError, match="malformed"):
        load_coco(tmp_path, "val")
    (tmp_path / "annotations" / "instances_val.json").write_text(json.dumps(
        {"images": [{"id": 1, "file_name": "gone.png", "height": 64, "width": 64}], "annotations": [],
         "categories": []}))
    with pytest.raises(DatasetError, match="gone.png.*is missing"):
        load_coco(tmp_path, "val")
    with pytest.raises(DatasetError, match="Unknown scenes split 'test'"):
        load_scenes("test")


# --- the cache ---------------------------------------------------------------------------------------------------

def test_public_splits_are_cached_under_xdg_cache_home(cache, monkeypatch):
    first = load_scenes("val")
    assert (cache / "annotations" / "instances_val.json").is_file()
    assert (cache / "val.sha256").read_text().strip() == scenes.folder_sha256(cache, "val")
    assert len(list((cache / "val").glob("*.png"))) == 8
    assert_same_split(first, generate_scenes(8, scenes.SPLITS["val"][1]))

    def no_generation(*args, **kwargs):
        raise AssertionError("the cached split was generated again")
    monkeypatch.setattr(scenes, "generate_scenes", no_generation)
    assert_same_split(load_scenes("val"), first)


def test_corrupt_cache_is_regenerated(cache):
    first = load_scenes("train")
    image = cache / "train" / "000003.png"
    Image.fromarray(np.zeros((64, 64, 3), np.uint8)).save(image)
    assert scenes.folder_sha256(cache, "train") != (cache / "train.sha256").read_text().strip()
    again = load_scenes("train")
    assert_same_split(again, first)
    assert scenes.folder_sha256(cache, "train") == (cache / "train.sha256").read_text().strip()


def test_unwritable_cache_still_gives_the_scenes(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    monkeypatch.setitem(scenes.SPLITS, "val", (3, scenes.SPLITS["val"][1]))
    assert_same_split(load_scenes("val"), generate_scenes(3, scenes.SPLITS["val"][1]))


def test_public_split_sizes_and_seeds():
    assert scenes.SPLITS["train"][0] == 2000 and scenes.SPLITS["val"][0] == 500
    assert scenes.SPLITS["train"][1] != scenes.SPLITS["val"][1]
