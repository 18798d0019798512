"""MultiTaskNet: one small network for semantic segmentation and CenterNet-style object detection.

Shapes for a batch of N images of H x W pixels (H and W multiples of 8), C object classes:
  input                                   N x 3 x H x W
  shared backbone (depthwise-separable)   stride 2 (for the segmentation head) and stride 4 features
  segmentation head                       N x (C + 1) x H x W     per-pixel logits (class 0 = background)
  detection head, at stride 4             heatmap N x C x H/4 x W/4 (after a sigmoid, in (0, 1))
                                          wh      N x 2 x H/4 x W/4 (box width, height in heatmap cells)
                                          offset  N x 2 x H/4 x W/4 (sub-cell centre offset, x then y)
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

HEATMAP_PRIOR = 0.1  # initial heatmap output: sigmoid(bias) = 0.1, as CenterNet starts (bias -2.19)


class ConvBNReLU(nn.Sequential):
    """A plain k x k convolution, batch norm, ReLU6 (the network's stem)."""

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1):
        super().__init__(
            nn.Conv2d(in_channels, out_channels, kernel_size, stride, kernel_size // 2, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU6(inplace=True),
        )


class DepthwiseSeparable(nn.Module):
    """
    A depthwise-separable block (MobileNet v1): a depthwise 3 x 3 convolution (one filter per input
    channel, groups = in_channels) with the given stride, BN, ReLU6, then a pointwise 1 x 1
    convolution to out_channels, BN, ReLU6. Both convolutions have no bias (BN has one).

    Inputs:
    - x: tensor (N, in_channels, H, W).

    Returns:
    - y: tensor (N, out_channels, H', W') with H' = ceil(H / stride), W' = ceil(W / stride).
    """

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        ### BEGIN SOLUTION
        self.depthwise = nn.Conv2d(in_channels, in_channels, 3, stride, 1, groups=in_channels, bias=False)
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        ### END SOLUTION

    def forward(self, x):
        y = None
        ### BEGIN SOLUTION
        y = F.relu6(self.bn1(self.depthwise(x)))  # (N, C_in, H', W')
        y = F.relu6(self.bn2(self.pointwise(y)))  # (N, C_out, H', W')
        ### END SOLUTION
        return y


class MultiTaskNet(nn.Module):
    """
    A shared backbone of depthwise-separable blocks with a segmentation head and a CenterNet head.

    Suggested architecture (w = width; the reference's; any design with the same outputs is accepted):
      stem      ConvBNReLU 3 -> w, stride 2                      (H/2)   s2
      stage 4   DS w -> 2w stride 2, DS 2w -> 2w                 (H/4)   s4
      stage 8   DS 2w -> 4w stride 2, DS 4w -> 4w                (H/8)
      neck      upsample stage 8 by 2 (bilinear), concatenate with s4, 1 x 1 conv + BN + ReLU6
                to 2w, DS 2w -> 2w                               (H/4)   f4
      detection DS 2w -> 2w on f4, then three 1 x 1 convolutions (with bias) to C, 2, 2 channels:
                heatmap = sigmoid(first), wh, offset; the heatmap bias starts at log(p / (1 - p)),
                p = HEATMAP_PRIOR
      segment   upsample f4 by 2 (bilinear), concatenate with s2, DS 3w -> w, 1 x 1 conv (with bias)
                to C + 1 logits, upsample by 2 (bilinear) to H x W

    Inputs of __init__:
    - num_classes: C, the number of object classes (the segmentation has C + 1, with background).
    - width: w, the channel width of the network.
    """

    def __init__(self, num_classes=3, width=16):
        super().__init__()
        self.num_classes, self.width = num_classes, width
        ### BEGIN SOLUTION
        w, C = width, num_classes
        self.stem = ConvBNReLU(3, w, stride=2)
        self.stage4 = nn.Sequential(DepthwiseSeparable(w, 2 * w, stride=2), DepthwiseSeparable(2 * w, 2 * w))
        self.stage8 = nn.Sequential(DepthwiseSeparable(2 * w, 4 * w, stride=2), DepthwiseSeparable(4 * w, 4 * w))
        self.lateral = ConvBNReLU(6 * w, 2 * w, kernel_size=1)
        self.neck = DepthwiseSeparable(2 * w, 2 * w)
        self.det = DepthwiseSeparable(2 * w, 2 * w)
        self.heatmap = nn.Conv2d(2 * w, C, 1)
        self.wh = nn.Conv2d(2 * w, 2, 1)
        self.offset = nn.Conv2d(2 * w, 2, 1)
        self.seg = DepthwiseSeparable(3 * w, w)
        self.seg_logits = nn.Conv2d(w, C + 1, 1)
        nn.init.constant_(self.heatmap.bias, float(torch.logit(torch.tensor(HEATMAP_PRIOR))))
        ### END SOLUTION

    def forward(self, x):
        """
        Inputs:
        - x: images, tensor (N, 3, H, W), prepared as train.prepare_images does.

        Returns a dict:
        - "seg": segmentation logits (N, C + 1, H, W).
        - "heatmap": class centre heatmaps after a sigmoid, (N, C, H/4, W/4).
        - "wh": box width and height in heatmap cells (input pixels / 4), (N, 2, H/4, W/4).
        - "offset": centre offset within its cell, x then y, (N, 2, H/4, W/4).
        """
        out = {}
        ### BEGIN SOLUTION
        s2 = self.stem(x)  # (N, w, H/2, W/2)
        s4 = self.stage4(s2)  # (N, 2w, H/4, W/4)
        s8 = self.stage8(s4)  # (N, 4w, H/8, W/8)
        up = F.interpolate(s8, size=s4.shape[-2:], mode="bilinear", align_corners=False)
        f4 = self.neck(self.lateral(torch.cat([up, s4], dim=1)))  # (N, 2w, H/4, W/4)
        d = self.det(f4)
        out["heatmap"] = torch.sigmoid(self.heatmap(d))  # (N, C, H/4, W/4)
        out["wh"] = self.wh(d)  # (N, 2, H/4, W/4)
        out["offset"] = self.offset(d)  # (N, 2, H/4, W/4)
        up = F.interpolate(f4, size=s2.shape[-2:], mode="bilinear", align_corners=False)
        seg = self.seg_logits(self.seg(torch.cat([up, s2], dim=1)))  # (N, C + 1, H/2, W/2)
        out["seg"] = F.interpolate(seg, size=x.shape[-2:], mode="bilinear", align_corners=False)  # (N, C + 1, H, W)
        ### END SOLUTION
        return out
