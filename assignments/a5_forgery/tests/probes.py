"""Probes for the public tests: they run your code inside the grader's worker and report what came back."""
import numpy as np

from autograder.authoring import answers, number, plain


@answers(kernels=plain, buffers=plain, params=number, bayar=plain)
def filters():
    """Your srm_kernels(); SRMConv2d's buffer names and parameter count; a BayarConv2d(2, 4, 5)'s weight."""
    import torch
    from filters import BayarConv2d, SRMConv2d, srm_kernels
    torch.manual_seed(0)
    srm = SRMConv2d()
    return {"kernels": np.asarray(srm_kernels()), "buffers": sorted(name for name, _ in srm.named_buffers()),
            "params": sum(p.numel() for p in srm.parameters()),
            "bayar": BayarConv2d(2, 4, 5).weight.detach().numpy()}


@answers(profile=plain, features=plain)
def spectrum(value):
    """Your azimuthal_average of a constant 64x64 spectrum and spectral_features of two 64x64 images."""
    from spectrum import azimuthal_average, spectral_features
    images = np.random.default_rng(0).integers(0, 256, size=(2, 64, 64, 3), dtype=np.uint8)
    return {"profile": azimuthal_average(np.full((64, 64), float(value))),
            "features": spectral_features(images)}


@answers(forgery=plain, generated=plain)
def model_shapes():
    """Your ForgeryNet's and GeneratedImageDetector's output shapes for two 64x64 images."""
    import torch
    from model import ForgeryNet, GeneratedImageDetector
    with torch.no_grad():
        out = ForgeryNet().eval()(torch.zeros(2, 3, 64, 64))
        generated = GeneratedImageDetector().eval()(torch.zeros(2, 3, 64, 64))
    return {"forgery": {k: list(v.shape) for k, v in out.items()}, "generated": list(generated.shape)}


@answers(train=plain, val=plain)
def split(photos):
    """Your validation_split(photos) with its defaults."""
    from train import validation_split
    train_idx, val_idx = validation_split(np.asarray(photos))
    return {"train": np.asarray(train_idx), "val": np.asarray(val_idx)}
