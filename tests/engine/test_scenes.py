"""Assignment 4's scene generator, its cache, the COCO round trip (pycocotools reads what it writes), a foreign
COCO folder swapped in, the judge's mAP and mIoU, and the cost credit curve."""
import json

import numpy as np
import pytest
from PIL import Image

from autograder.data import scenes
from autograder.data.cache import cache_dir
from autograder.data.manifest import DatasetError
from autograder.judge.detection import coco_map, miou
from autograder.judge.plugin import Credit
from autograder.judge.records import TestRecord as Record


@pytest.fixture(scope="module")
def few():
    return scenes.make_scenes(40, seed=3)


def test_scenes_are_seeded_and_consistent(few):
    again = scenes.make_scenes(40, seed=3)
    assert np.array_equal(few["images"], again["images"]) and np.array_equal(few["masks"], again["masks"])
    assert not np.array_equal(few["images"], scenes.make_scenes(40, seed=4)["images"])
    assert few["images"].shape == (40, 64, 64, 3) and few["images"].dtype == np.uint8
    for mask, inst, boxes, labels in zip(few["masks"], few["instances"], few["boxes"], few["labels"]):
        assert 1 <= len(labels) <= 4 and set(labels) <= {1, 2, 3}
        for k, ((x, y, w, h), label) in enumerate(zip(boxes, labels)):
            rows, cols = np.nonzero(inst == k + 1)
            assert len(rows) >= scenes.MIN_VISIBLE
            assert (x, y, w, h) == (cols.min(), rows.min(), cols.max() - cols.min() + 1, rows.max() - rows.min() + 1)
            assert np.all(mask[rows, cols] == label)
        assert np.array_equal(mask > 0, inst > 0)


def test_classes_are_not_separable_by_colour(few):
    """Objects of every class take any colour: the mean colour per class is about the same."""
    colours = {c: [] for c in (1, 2, 3)}
    for image, mask in zip(few["images"], few["masks"]):
        for c in colours:
            if (mask == c).any():
                colours[c].append(image[mask == c].mean(axis=0))
    means = np.array([np.mean(colours[c], axis=0) for c in colours])
    assert np.ptp(means, axis=0).max() < 60


def test_cache_is_checked_and_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = scenes.cached_scenes(5, seed=1)
    (path,) = cache_dir("scenes").glob("*.npz")
    with np.load(path) as archive:
        arrays = {k: archive[k] for k in archive.files}
    arrays["images"] = arrays["images"].copy()
    arrays["images"][0, 0, 0] ^= 255   # corrupt one pixel: the checksum no longer matches
    np.savez(path, **arrays)
    again = scenes.cached_scenes(5, seed=1)
    assert np.array_equal(again["images"], first["images"])
    assert all(np.array_equal(a, b) for a, b in zip(again["boxes"], first["boxes"]))


def test_coco_round_trip(few, tmp_path):
    folder = scenes.write_coco(tmp_path / "coco", "val", few)
    data = json.loads((folder / "annotations" / "instances_val.json").read_text())
    assert {"bbox", "category_id", "area", "iscrowd", "segmentation"} <= set(data["annotations"][0])
    loaded = scenes.load_coco(folder, "val")
    assert loaded["categories"] == list(scenes.CLASSES)
    assert np.array_equal(loaded["images"], few["images"]) and np.array_equal(loaded["masks"], few["masks"])
    for a, b in zip(loaded["boxes"], few["boxes"]):
        assert np.allclose(a, b)


def test_a_foreign_coco_folder_is_resized_and_remapped(tmp_path):
    """A course's own COCO set: other category ids, a crowd region, a 128x96 photo."""
    from pycocotools import mask as rle
    (tmp_path / "train").mkdir()
    (tmp_path / "annotations").mkdir()
    Image.fromarray(np.full((96, 128, 3), 90, np.uint8)).save(tmp_path / "train" / "street.jpg")
    car = np.zeros((96, 128), np.uint8)
    car[40:60, 20:60] = 1
    code = rle.encode(np.asfortranarray(car))
    annotations = [
        {"id": 1, "image_id": 7, "category_id": 3, "bbox": [20, 40, 40, 20], "area": 800, "iscrowd": 0,
         "segmentation": {"size": code["size"], "counts": code["counts"].decode()}},
        {"id": 2, "image_id": 7, "category_id": 1, "bbox": [80, 10, 30, 30], "area": 900, "iscrowd": 0,
         "segmentation": [[80, 10, 110, 10, 110, 40, 80, 40]]},
        {"id": 3, "image_id": 7, "category_id": 1, "bbox": [0, 0, 128, 8], "area": 1024, "iscrowd": 1,
         "segmentation": {"size": [96, 128], "counts": [0, 96 * 128]}},
    ]
    (tmp_path / "annotations" / "instances_train.json").write_text(json.dumps({
        "images": [{"id": 7, "file_name": "street.jpg", "height": 96, "width": 128}], "annotations": annotations,
        "categories": [{"id": 1, "name": "person"}, {"id": 3, "name": "car"}]}))
    out = scenes.load_coco(tmp_path, "train")
    assert out["categories"] == ["person", "car"]
    assert out["images"].shape == (1, 64, 64, 3)
    assert out["labels"][0].tolist() == [2, 1]        # car -> 2, person -> 1; the crowd region is skipped
    assert np.allclose(out["boxes"][0], [[10, 40 * 64 / 96, 20, 20 * 64 / 96], [40, 10 * 64 / 96, 15, 20]])
    assert out["masks"][0][round(50 * 64 / 96), 20] == 2 and out["masks"][0][15, 47] == 1
    with pytest.raises(DatasetError, match="No COCO annotations for split 'val'"):
        scenes.load_coco(tmp_path, "val")


def test_judge_metrics(few):
    truth = [{"boxes": b, "scores": np.ones(len(b)), "labels": l} for b, l in zip(few["boxes"], few["labels"])]
    assert coco_map(few, truth) == pytest.approx((1.0, 1.0))
    shifted = [dict(p, boxes=p["boxes"] + [3, 3, 0, 0]) for p in truth]
    map50, map_all = coco_map(few, shifted)
    assert map_all < map50 < 1.0
    assert coco_map(few, [{"boxes": np.zeros((0, 4)), "scores": [], "labels": []}] * 40) == (0.0, 0.0)
    assert miou(few["masks"], few["masks"], 4) == 1.0
    wrong = few["masks"].copy()
    wrong[wrong == 3] = 9     # a value outside the classes counts as a miss
    assert miou(wrong, few["masks"], 4) == pytest.approx(0.75, abs=1e-9)


def test_cost_credit_is_linear_in_log_cost():
    record = Record(points=1.0, visibility="visible", budget={})
    credit = Credit(record)
    assert credit.cost(100, full_at=100, none_at=1000) == 1.0
    assert credit.cost(200, full_at=100, none_at=1000) == pytest.approx(1 - np.log10(2))
    assert "linear in log(cost)" in record.credit_note
    with pytest.raises(pytest.fail.Exception):
        credit.cost(1000, full_at=100, none_at=1000)
