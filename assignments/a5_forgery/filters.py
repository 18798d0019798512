"""Forensic filters: fixed high-pass residuals (SRM), a learned constrained convolution (Bayar), and error
level analysis (ELA).

A forgery rarely shows in the picture's content; it shows in the noise the camera and the compression left
behind, which a pasted region does not share with its surroundings. Each filter here removes the content
and keeps a residual: the SRM kernels predict a pixel from its neighbours and keep the prediction error
(Fridrich & Kodovsky 2012, used in RGB-N, Zhou et al. CVPR 2018); Bayar & Stamm's constrained convolution
(IEEE TIFS 2018) learns such predictors, forced to stay high-pass; ELA re-saves the image as JPEG and shows
where it changes most (regions compressed differently before change differently now).
"""
import io

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image


def srm_kernels():
    """
    The three classic 5x5 SRM kernels, each normalised by its centre weight's magnitude, in this order:

    - 1/4  * [[0, 0, 0, 0, 0], [0, -1, 2, -1, 0], [0, 2, -4, 2, 0], [0, -1, 2, -1, 0], [0, 0, 0, 0, 0]]
    - 1/12 * [[-1, 2, -2, 2, -1], [2, -6, 8, -6, 2], [-2, 8, -12, 8, -2], [2, -6, 8, -6, 2], [-1, 2, -2, 2, -1]]
    - 1/2  * [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 1, -2, 1, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]

    Returns:
    - kernels: float32 numpy array (3, 5, 5)
    """
    kernels = None
    # YOUR CODE HERE
    raise NotImplementedError()
    return kernels


class SRMConv2d(nn.Module):
    """
    The fixed SRM filter bank as a layer: (N, 3, H, W) -> (N, 3, H, W), zero padding 2, no bias. Output
    channel k is kernel k applied to each colour channel, summed over the colour channels (RGB-N's layer):
    a weight of shape (3, 3, 5, 5) with weight[k, c] = srm_kernels()[k].

    The weight is fixed: keep it in a buffer named `weight` (register_buffer), so that it is saved with the
    model and moved by .to(device) but is not a parameter, and no optimizer changes it.
    """

    def __init__(self):
        super().__init__()
        # YOUR CODE HERE
        raise NotImplementedError()

    def forward(self, x):
        out = None
        # YOUR CODE HERE
        raise NotImplementedError()
        return out


class BayarConv2d(nn.Module):
    """
    Bayar & Stamm's constrained convolution: (N, in_channels, H, W) -> (N, out_channels, H, W), zero padding
    kernel_size // 2, no bias, kernel_size odd. The weight is a parameter of shape (out_channels, in_channels,
    kernel_size, kernel_size); in every (out, in) kernel the centre weight is -1 and the other weights sum to 1,
    so the layer predicts each pixel from its neighbours and outputs the prediction error.

    constrain() projects the weight onto that constraint in place (no gradient): set the centre to 0, divide
    the kernel by its sum, set the centre to -1, changing self.weight's data in place (the optimizer holds that
    parameter). It is called when the layer is made, at the start of every forward, and by the training loop
    after every optimizer step. Start from positive random weights (torch.rand plus a little): with zero-mean
    ones the sum can come near 0 and the division blow the kernel up.
    """

    def __init__(self, in_channels, out_channels, kernel_size=5):
        super().__init__()
        # YOUR CODE HERE
        raise NotImplementedError()

    @torch.no_grad()
    def constrain(self):
        # YOUR CODE HERE
        raise NotImplementedError()

    def forward(self, x):
        out = None
        # YOUR CODE HERE
        raise NotImplementedError()
        return out


def error_level(image, quality=90):
    """
    Error level analysis: how much each pixel changes when the image is saved once more as JPEG.

    Inputs:
    - image: uint8 numpy array (H, W, 3)
    - quality: the JPEG quality of the re-save (Pillow's `Image.save(buffer, format="JPEG", quality=quality)`,
      into an io.BytesIO, decoded again with Image.open)

    Returns:
    - ela: float32 numpy array (H, W): |image - resaved| in 0..255, averaged over the three colour channels
      (computed in floats, not uint8, where 3 - 5 would wrap to 254)
    """
    ela = None
    # YOUR CODE HERE
    raise NotImplementedError()
    return ela
