"""Two detectors: ForgeryNet finds manipulated regions, GeneratedImageDetector finds decoder output.

Both start from residuals, not from the picture: a forensic network that sees the content learns the photos of
its training set, not the traces of editing (measured here: fed the image beside its residuals, the reference
scores an image AUC of 0.70 on unseen photographs; fed the residuals alone, 0.74). ForgeryNet feeds the SRM
residuals and a learned Bayar residual side by side to a small encoder and reads two things off it: one logit per image ("was this
patch edited?") and one per pixel ("was this pixel replaced?"). Library layers (nn.Conv2d, nn.BatchNorm2d,
F.interpolate, ...) are allowed; nothing pretrained may be loaded.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from filters import BayarConv2d, SRMConv2d


def upsample_bilinear(x, scale):
    """F.interpolate(x, scale_factor=scale, mode="bilinear", align_corners=False) for an even integer `scale`,
    computed as a fixed transposed convolution.

    Why: the backward pass of F.interpolate's bilinear mode has no deterministic CUDA kernel (it adds into the
    input's gradient with atomic operations, in whatever order the GPU runs them), so two trainings with the same
    seed would differ on a GPU. A transposed convolution over the border-replicated input gives the same values
    (to float rounding) and repeats exactly on CUDA under torch.use_deterministic_algorithms(True).
    x: (N, C, H, W) -> (N, C, scale * H, scale * W)
    """
    taps = torch.arange(2 * scale, dtype=x.dtype, device=x.device)
    weight = 1 - (taps - (2 * scale - 1) / 2).abs() / scale            # (2s,) the bilinear weights
    kernel = (weight[:, None] * weight[None, :]).expand(x.shape[1], 1, 2 * scale, 2 * scale)
    return F.conv_transpose2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), kernel, stride=scale,
                              padding=3 * scale // 2, groups=x.shape[1])


def _conv(cin, cout, stride=1):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU(inplace=True))


class ForgeryNet(nn.Module):
    """
    Manipulation detection and localization. The architecture is yours to choose, with at least one SRMConv2d
    and one BayarConv2d among its layers whose outputs feed forward's result (the grader checks both, and the
    Bayar constraint after training); forward takes x of shape
    (N, 3, H, W) (H and W multiples of 8, values in 0..1, as train.to_tensor makes them) and returns a dict:

    - "score": (N,) one logit per image, positive for "forged"
    - "mask":  (N, 1, H, W) one logit per pixel at the input resolution, positive for "replaced"

    The reference: SRMConv2d and BayarConv2d(3, 3, 5) side by side (6 channels, BatchNorm2d); 3x3
    convolutions (BatchNorm2d, ReLU) to 16 channels at stride 2, 32 at stride 4, 32, 48 at stride 8; the mask
    from the stride-8 features upsampled and added to the stride-4 ones (1x1 convolutions to one channel each),
    bilinearly upsampled to H x W; the score from the stride-8 features' average and maximum over space
    through a linear layer.
    """

    def __init__(self):
        super().__init__()
        ### BEGIN SOLUTION
        self.srm, self.bayar = SRMConv2d(), BayarConv2d(3, 3, 5)
        self.norm = nn.BatchNorm2d(6)
        self.down2, self.down4 = _conv(6, 16, 2), nn.Sequential(_conv(16, 32, 2), _conv(32, 32))
        self.down8 = _conv(32, 48, 2)
        self.mask4, self.mask8 = nn.Conv2d(32, 1, 1), nn.Conv2d(48, 1, 1)
        self.score = nn.Linear(96, 1)
        ### END SOLUTION

    def forward(self, x):
        out = None
        ### BEGIN SOLUTION
        f = self.norm(torch.cat([self.srm(x), self.bayar(x)], dim=1))
        f4 = self.down4(self.down2(f))
        f8 = self.down8(f4)
        mask = self.mask4(f4) + upsample_bilinear(self.mask8(f8), 2)   # bilinear that repeats on CUDA (above)
        mask = upsample_bilinear(mask, x.shape[-1] // mask.shape[-1])
        pooled = torch.cat([f8.mean(dim=(2, 3)), f8.amax(dim=(2, 3))], dim=1)
        out = {"score": self.score(pooled)[:, 0], "mask": mask}
        ### END SOLUTION
        return out


class GeneratedImageDetector(nn.Module):
    """
    Generated-image detection: forward takes x of shape (N, 3, H, W) (values in 0..1) and returns (N,) logits,
    positive for "generated". Any architecture; the README shows a baseline without a network at all (the
    spectral features and scikit-learn's LogisticRegression) to beat.

    The reference: SRMConv2d, then 3x3 convolutions (BatchNorm2d, ReLU) to 16 channels at stride 2, 32 at
    stride 4 and 32, averaged over space, and a linear layer.
    """

    def __init__(self):
        super().__init__()
        ### BEGIN SOLUTION
        self.srm = SRMConv2d()
        self.features = nn.Sequential(nn.BatchNorm2d(3), _conv(3, 16, 2), _conv(16, 32, 2), _conv(32, 32))
        self.head = nn.Linear(32, 1)
        ### END SOLUTION

    def forward(self, x):
        out = None
        ### BEGIN SOLUTION
        out = self.head(self.features(self.srm(x)).mean(dim=(2, 3)))[:, 0]
        ### END SOLUTION
        return out
