"""A lightweight network for two tasks at once: semantic segmentation and CenterNet-style detection.

Low-power vision models (MobileNet, Howard et al. 2017) replace each 3x3 convolution by a depthwise 3x3
convolution (one filter per channel, `groups=in_channels`) followed by a pointwise 1x1 convolution that
mixes channels: about 8-9x fewer multiply-accumulates for the same shapes. One backbone is shared by both
heads, so the second task costs only its head. Library layers (nn.Conv2d, nn.BatchNorm2d, nn.ReLU6,
F.interpolate, ...) are allowed; nothing pretrained may be loaded.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


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


class DepthwiseSeparable(nn.Module):
    """
    depthwise 3x3 (groups = in_channels, stride `stride`, padding 1, no bias) -> BatchNorm2d -> ReLU6 ->
    pointwise 1x1 (in_channels -> out_channels, no bias) -> BatchNorm2d -> ReLU6
    """

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        ### BEGIN SOLUTION
        self.block = nn.Sequential(
            nn.Conv2d(in_channels, in_channels, 3, stride=stride, padding=1, groups=in_channels, bias=False),
            nn.BatchNorm2d(in_channels), nn.ReLU6(inplace=True),
            nn.Conv2d(in_channels, out_channels, 1, bias=False),
            nn.BatchNorm2d(out_channels), nn.ReLU6(inplace=True),
        )
        ### END SOLUTION

    def forward(self, x):
        """x: (N, in_channels, H, W) -> (N, out_channels, ceil(H / stride), ceil(W / stride))"""
        out = None
        ### BEGIN SOLUTION
        out = self.block(x)
        ### END SOLUTION
        return out


class MultiTaskNet(nn.Module):
    """
    One backbone, a segmentation head and a detection head (CenterNet: "Objects as Points").

    The architecture is yours to choose within these rules: the backbone is built from DepthwiseSeparable
    blocks, three or more, that forward runs (a plain 3x3 convolution as the very first layer is fine), input
    sides are multiples of 8, and forward returns, for x of shape (N, 3, H, W):

    - "seg":     (N, num_classes + 1, H, W) per-pixel class logits at the input resolution (class 0: background)
    - "heatmap": (N, num_classes, H/4, W/4) per-class centre heatmaps, after a sigmoid (values in (0, 1))
    - "wh":      (N, 2, H/4, W/4) box width and height, in output cells (input pixels / 4)
    - "offset":  (N, 2, H/4, W/4) the sub-cell offset of the centre, x then y

    Initialise the heatmap's last bias to -log((1 - 0.1) / 0.1) = -2.19 (CenterNet's prior: each cell
    starts at a 0.1 probability of being a centre), or the focal loss starts far too high.

    The reference (width=16): stem conv 3x3 stride 2 to w; DepthwiseSeparable w -> 2w stride 2, 2w -> 2w
    (stride 4); 2w -> 4w stride 2, 4w -> 4w (stride 8); the stride-8 features reduced to 2w by a 1x1
    convolution, upsampled x2 and added to the stride-4 ones, then one more block (the shared features);
    detection: a block and three 1x1 convolutions; segmentation: the shared features upsampled x2 and
    added to the stem's (1x1 to 2w), a block to w, a 1x1 to the classes, upsampled x2.
    """

    def __init__(self, num_classes=3, width=16):
        super().__init__()
        ### BEGIN SOLUTION
        w = width
        self.stem = nn.Sequential(nn.Conv2d(3, w, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(w),
                                  nn.ReLU6(inplace=True))                                          # /2
        self.stage4 = nn.Sequential(DepthwiseSeparable(w, 2 * w, 2), DepthwiseSeparable(2 * w, 2 * w))  # /4
        self.stage8 = nn.Sequential(DepthwiseSeparable(2 * w, 4 * w, 2), DepthwiseSeparable(4 * w, 4 * w))
        self.lateral = nn.Conv2d(4 * w, 2 * w, 1)
        self.neck = DepthwiseSeparable(2 * w, 2 * w)
        self.det = DepthwiseSeparable(2 * w, 2 * w)
        self.heatmap = nn.Conv2d(2 * w, num_classes, 1)
        self.wh = nn.Conv2d(2 * w, 2, 1)
        self.offset = nn.Conv2d(2 * w, 2, 1)
        self.skip = nn.Conv2d(w, 2 * w, 1)
        self.seg_block = DepthwiseSeparable(2 * w, w)
        self.seg = nn.Conv2d(w, num_classes + 1, 1)
        nn.init.constant_(self.heatmap.bias, -math.log((1 - 0.1) / 0.1))
        ### END SOLUTION

    def forward(self, x):
        """x: (N, 3, H, W) normalised images -> dict seg, heatmap, wh, offset (shapes above)"""
        out = None
        ### BEGIN SOLUTION
        s2 = self.stem(x)                                   # (N, w, H/2, W/2)
        s4 = self.stage4(s2)                                # (N, 2w, H/4, W/4)
        s8 = self.stage8(s4)                                # (N, 4w, H/8, W/8)
        f4 = self.neck(s4 + F.interpolate(self.lateral(s8), scale_factor=2, mode="nearest"))
        d = self.det(f4)
        up = upsample_bilinear(f4, 2) + self.skip(s2)        # bilinear that repeats on CUDA (above)
        seg = upsample_bilinear(self.seg(self.seg_block(up)), 2)
        out = {"seg": seg, "heatmap": self.heatmap(d).sigmoid(), "wh": self.wh(d), "offset": self.offset(d)}
        ### END SOLUTION
        return out
