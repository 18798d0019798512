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
        # YOUR CODE HERE
        raise NotImplementedError()

    def forward(self, x):
        y = None
        # YOUR CODE HERE
        raise NotImplementedError()
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
        # YOUR CODE HERE
        raise NotImplementedError()

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
        # YOUR CODE HERE
        raise NotImplementedError()
        return out
