"""Assignment 5's forgeries: 64x64 patches of real photographs, spliced, copy-moved or passed through a
decoder, made reproducibly from the photos that ship inside scikit-image and scikit-learn.

Task 1 (manipulation): half the patches are authentic crops; the other half have a region of random shape
(ellipse, polygon or rectangle, with a hard or a feathered edge) replaced by a region of another photo
("splice": re-sampled, with its own sensor noise and its own earlier JPEG compression on a shifted 8x8 grid)
or of the same photo elsewhere ("copy-move": rotated and enlarged). Every patch, authentic or forged, then gets the same post-processing: sometimes a slight blur or
noise, always a JPEG re-compression through Pillow at a random quality in QUALITIES.

Task 2 (generated): half the patches are real crops, half the output of a small autoencoder whose decoder
upsamples with transposed convolutions (the artifact simulator of Zhang, Karaman & Chang, WIFS 2019); both go
through the same JPEG step. The autoencoder's weights are datasets/forgery_generator.npz, trained by
`python scripts/train_forgery_generator.py` on crops of the training photos only. The hidden test's generated
patches come from a decoder family training never saw (FAMILIES; Wang et al., CVPR 2020, grade detectors so).

Splits are by photograph: no photo gives patches to two splits. The hidden test split's photos and seeds
live in tests/hidden/. Built sets are cached with their sha256 (autograder.data.cache).
"""
import io
from functools import lru_cache

import numpy as np

from .cache import cached_arrays
from .manifest import DatasetError, dataset_path

SIZE = 64
QUALITIES = (70, 95)          # the JPEG qualities of every split, both ends included
SHORT_SIDE = 384              # each photo is resized so that its short side has this many pixels
TRAIN_PHOTOS = ("astronaut", "coffee", "rocket", "china", "hubble_deep_field", "retina")
TRAIN_PATCHES = 3000          # per task; students hold out photos of these for their own validation
TRAIN_SEEDS = {"manipulated": 11, "generated": 12}
VERSION = 1                   # bump when the making changes: cached files are then remade


def _skimage(name):
    import skimage.data
    return lambda: getattr(skimage.data, name)()


def _sklearn(name):
    def load():
        from sklearn.datasets import load_sample_image
        return load_sample_image(name)
    return load


PHOTOS = {
    "astronaut": _skimage("astronaut"), "chelsea": _skimage("chelsea"), "coffee": _skimage("coffee"),
    "hubble_deep_field": _skimage("hubble_deep_field"), "immunohistochemistry": _skimage("immunohistochemistry"),
    "retina": _skimage("retina"), "rocket": _skimage("rocket"),
    "motorcycle": lambda: _skimage("stereo_motorcycle")()[0],
    "china": _sklearn("china.jpg"), "flower": _sklearn("flower.jpg"),
}


@lru_cache(maxsize=None)
def photo(name):
    """The photograph `name` as float (H, W, 3) in 0..255, resized so that its short side is SHORT_SIDE."""
    from skimage.transform import resize
    if name not in PHOTOS:
        raise DatasetError(f"There is no photo '{name}'; the photos are {', '.join(PHOTOS)}.")
    image = np.asarray(PHOTOS[name](), dtype=np.float64)[:, :, :3]
    scale = SHORT_SIDE / min(image.shape[:2])
    shape = (round(image.shape[0] * scale), round(image.shape[1] * scale), 3)
    return resize(image, shape, anti_aliasing=True, preserve_range=True)


def jpeg(image, quality):
    """A uint8 (H, W, 3) image saved as JPEG at `quality` by Pillow and decoded again."""
    from PIL import Image
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(image, dtype=np.uint8)).save(buffer, format="JPEG", quality=int(quality))
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))


def recompress(images, quality):
    """Every image of a uint8 (N, H, W, 3) batch through jpeg(image, quality)."""
    return np.stack([jpeg(im, quality) for im in images])


def _crop(rng, name, size=None):
    """A SIZE x SIZE crop of photo `name` (float), from a square of `size` pixels (random in 64..112 when None)
    resampled to SIZE; flat crops (contrast under 12) are redrawn."""
    from skimage.transform import resize
    image = photo(name)
    for _ in range(50):
        side = int(size or rng.integers(SIZE, 113))
        y, x = rng.integers(0, image.shape[0] - side + 1), rng.integers(0, image.shape[1] - side + 1)
        crop = image[y:y + side, x:x + side]
        if side != SIZE:
            crop = resize(crop, (SIZE, SIZE, 3), anti_aliasing=side > SIZE, order=1, preserve_range=True)
        if crop.std() >= 12:
            return crop
    return crop


def _shape(rng):
    """A random bool (SIZE, SIZE) region: an ellipse, a polygon or a rectangle of 150..1600 pixels."""
    from skimage.draw import ellipse, polygon
    while True:
        mask = np.zeros((SIZE, SIZE), bool)
        cy, cx = rng.uniform(14, SIZE - 14, size=2)
        kind = rng.integers(3)
        if kind == 0:
            rr, cc = ellipse(cy, cx, rng.uniform(6, 22), rng.uniform(6, 22), shape=mask.shape,
                             rotation=rng.uniform(0, np.pi))
        elif kind == 1:
            k = rng.integers(5, 9)
            angles = np.sort(rng.uniform(0, 2 * np.pi, size=k))
            radii = rng.uniform(7, 22, size=k)
            rr, cc = polygon(cy + radii * np.sin(angles), cx + radii * np.cos(angles), shape=mask.shape)
        else:
            h, w = rng.uniform(12, 40, size=2)
            rr, cc = polygon([cy - h / 2, cy - h / 2, cy + h / 2, cy + h / 2],
                             [cx - w / 2, cx + w / 2, cx + w / 2, cx - w / 2], shape=mask.shape)
        mask[rr, cc] = True
        if 150 <= mask.sum() <= 1600:
            return mask


def _donor(rng, host, photos):
    """The region pasted into a forgery and its kind (1 splice, 2 copy-move), float (SIZE, SIZE, 3)."""
    from skimage.transform import AffineTransform, warp
    if rng.random() < 0.5:
        other = [p for p in photos if p != host] or [host]
        region = _crop(rng, other[rng.integers(len(other))], size=int(rng.integers(40, 61)))   # upsampled
        region = np.clip(region + rng.normal(0, rng.uniform(2, 5), size=region.shape), 0, 255)
        shift = tuple(rng.integers(1, 8, size=2))       # its own JPEG history, on a grid the host's does not share
        region = np.roll(jpeg(np.roll(np.rint(region), shift, axis=(0, 1)), rng.integers(35, 61)),
                         (-shift[0], -shift[1]), axis=(0, 1))
        return region.astype(np.float64), 1
    source = _crop(rng, host, size=SIZE)
    scale, angle = rng.uniform(1.15, 1.5), rng.uniform(-0.5, 0.5)
    centre = np.array([SIZE / 2, SIZE / 2])
    transform = AffineTransform(translation=-centre) + AffineTransform(scale=scale, rotation=angle) \
        + AffineTransform(translation=centre)
    return warp(source, transform.inverse, order=1, mode="reflect", preserve_range=True), 2


def _finish(rng, image):
    """The post-processing every patch gets: maybe a slight blur or noise, then JPEG at a quality in QUALITIES."""
    from scipy.ndimage import gaussian_filter
    roll = rng.random()
    if roll < 0.2:
        image = gaussian_filter(image, sigma=(rng.uniform(0.3, 0.7),) * 2 + (0,))
    elif roll < 0.4:
        image = image + rng.normal(0, rng.uniform(1, 3), size=image.shape)
    return jpeg(np.clip(np.rint(image), 0, 255), rng.integers(QUALITIES[0], QUALITIES[1] + 1))


def make_manipulated(photos, n, seed):
    """
    Task 1: `n` patches of `photos` drawn with numpy's generator seeded `seed`, half of them forged.

    Returns a dict with:
    - images: uint8 (n, 64, 64, 3)
    - masks: uint8 (n, 64, 64), 1 where the pixel was replaced (alpha of at least 0.5), all 0 for authentic
    - labels: int64 (n,), 1 forged, 0 authentic
    - kinds: int64 (n,), 0 authentic, 1 splice, 2 copy-move
    - photos: str (n,), the photograph each patch comes from
    """
    from scipy.ndimage import gaussian_filter
    rng = np.random.default_rng(seed)
    images, masks, kinds, names = [], [], [], []
    for i in range(n):
        name = photos[rng.integers(len(photos))]
        host = _crop(rng, name)
        mask, kind = np.zeros((SIZE, SIZE), bool), 0
        if i % 2:
            region, kind = _donor(rng, name, photos)
            shape = _shape(rng)
            alpha = shape.astype(float)
            if rng.random() < 0.5:
                alpha = np.clip(gaussian_filter(alpha, rng.uniform(0.8, 2.0)) * 1.2, 0, 1)
            mask = alpha >= 0.5
            host = host * (1 - alpha[:, :, None]) + region * alpha[:, :, None]
        images.append(_finish(rng, host))
        masks.append(mask)
        kinds.append(kind)
        names.append(name)
    order = rng.permutation(n)
    kinds = np.array(kinds, np.int64)[order]
    return {"images": np.stack(images)[order], "masks": np.stack(masks).astype(np.uint8)[order],
            "labels": (kinds > 0).astype(np.int64), "kinds": kinds, "photos": np.array(names)[order]}


# --- Task 2: the decoder's artifacts -------------------------------------------------------------------------

def generator_network():
    """The autoencoder (untrained): strided convolutions down to 16x16, two stride-2 transposed convolutions up."""
    from torch import nn
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 32, 4, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(32, 32, 4, stride=2, padding=1), nn.ReLU(),
        nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1), nn.ReLU(),
        nn.ConvTranspose2d(16, 3, 4, stride=2, padding=1), nn.Sigmoid(),
    )


GENERATOR_SEED, GENERATOR_STEPS = 0, 300


def train_generator(photos=TRAIN_PHOTOS, seed=GENERATOR_SEED, steps=GENERATOR_STEPS):
    """The autoencoder trained with L1 reconstruction on crops of `photos` (Adam, batch 32, one CPU thread):
    {parameter name: float32 array}. Deterministic on one machine."""
    import torch
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(seed)
        rng = np.random.default_rng(seed)
        crops = np.stack([_crop(rng, photos[i % len(photos)]) for i in range(1024)]) / 255
        data = torch.tensor(crops, dtype=torch.float32).permute(0, 3, 1, 2)
        net = generator_network()
        optimizer = torch.optim.Adam(net.parameters(), lr=2e-3)
        for _ in range(steps):
            batch = data[torch.as_tensor(rng.integers(0, len(data), size=32))]
            loss = (net(batch) - batch).abs().mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    finally:
        torch.set_num_threads(threads)
    return {k: v.detach().numpy().copy() for k, v in net.state_dict().items()}


@lru_cache(maxsize=1)
def generator():
    """The shipped autoencoder (datasets/forgery_generator.npz, checked against its sha256), in eval mode."""
    import torch
    with np.load(dataset_path("forgery_generator"), allow_pickle=False) as archive:
        weights = {k: torch.from_numpy(archive[k].copy()) for k in archive.files}
    net = generator_network()
    try:
        net.load_state_dict(weights)
    except RuntimeError as e:
        raise DatasetError(f"datasets/forgery_generator.npz does not fit the generator network ({e}).") from None
    return net.eval()


FAMILIES = ("transposed", "nearest_noise")   # the training split's decoder, and the hidden test's
NOISE_INPUT = 3.0   # per-pixel noise make_generated adds to "nearest_noise" patches, as StyleGAN's noise inputs do


def decode(crops, family="transposed"):
    """The generator applied to float crops (N, SIZE, SIZE, 3) in 0..255: float (N, SIZE, SIZE, 3) in 0..255.
    It upsamples as `family` says: "transposed", stride-2 transposed convolutions (their four kernel phases leave
    a checkerboard); "nearest_noise", nearest-neighbour upsampling, then the same kernel at stride 1 divided by 4."""
    import torch
    import torch.nn.functional as F
    if family not in FAMILIES:
        raise DatasetError(f"There is no generator family '{family}'; the families are {', '.join(FAMILIES)}.")
    with torch.no_grad():
        x = torch.tensor(np.asarray(crops) / 255, dtype=torch.float32).permute(0, 3, 1, 2)
        for layer in generator():
            if family != "transposed" and isinstance(layer, torch.nn.ConvTranspose2d):
                size = 2 * x.shape[-1]
                x = F.interpolate(x, scale_factor=2, mode="nearest")
                x = F.conv_transpose2d(x, layer.weight / 4, layer.bias, padding=1)[..., :size, :size]
            else:
                x = layer(x)
        return x.permute(0, 2, 3, 1).double().numpy() * 255


def make_generated(photos, n, seed, family="transposed"):
    """
    Task 2: `n` patches of `photos` drawn with numpy's generator seeded `seed`, every second one made by `family`.

    Returns a dict with images uint8 (n, 64, 64, 3), labels int64 (n,) (1 generated, 0 real) and photos str (n,).
    """
    rng = np.random.default_rng(seed)
    names = [photos[rng.integers(len(photos))] for _ in range(n)]
    crops = np.stack([_crop(rng, name) for name in names])
    labels = np.arange(n) % 2
    crops[labels == 1] = decode(crops[labels == 1], family)
    if family == "nearest_noise":
        crops[labels == 1] += rng.normal(0, NOISE_INPUT, size=crops[labels == 1].shape)
    images = np.stack([_finish(rng, crop) for crop in crops])
    order = rng.permutation(n)
    return {"images": images[order], "labels": labels[order].astype(np.int64), "photos": np.array(names)[order]}


MAKERS = {"manipulated": make_manipulated, "generated": make_generated}


def cached_forgeries(task, photos, n, seed, family="transposed"):
    """make_manipulated or make_generated (`task`; `family`, the generated patches' decoder, for the latter), kept
    in the cache with its sha256 (the training family under the names it always had)."""
    other = {} if family == "transposed" else {"family": family}
    name = "-".join([task, f"v{VERSION}", *other.values(), "+".join(photos), str(n), str(seed)])
    return cached_arrays("forgery", name, lambda: MAKERS[task](tuple(photos), n, seed, **other))


def forgery_split(task):
    """The public training split of `task` ("manipulated" or "generated"): TRAIN_PATCHES patches of TRAIN_PHOTOS."""
    if task not in MAKERS:
        raise DatasetError(f"There is no forgery task '{task}'; the tasks are {', '.join(MAKERS)}.")
    return cached_forgeries(task, TRAIN_PHOTOS, TRAIN_PATCHES, TRAIN_SEEDS[task])
