"""Hand-built layers for LeNet-5: convolution, pooling, ReLU, flatten and a fully connected layer.

Every layer is an nn.Module whose forward pass is written with tensor operations; autograd
computes the backward pass. Allowed: tensor arithmetic, matrix products, reshapes, reductions,
F.unfold / F.fold and F.pad. Not allowed (the grader checks both your source and the operators
your code runs): nn.Conv*, F.conv*, torch.conv*, nn.*Pool*, F.*pool*, torch.*pool* and anything
reached through torch._C, torch._VF or torch.ops.

Shapes: N is the batch size, C the number of channels, H and W the height and width of an image.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class Conv2d(nn.Module):
    """
    2-D convolution of a batch of images with a bank of filters, as PyTorch's nn.Conv2d computes it
    (a cross-correlation: the filter is not flipped), with zero padding and a stride.

    Parameters (created in __init__ with these names and shapes):
    - weight: filters, tensor of shape (C_out, C_in, K, K).
    - bias: one bias per filter, tensor of shape (C_out,).
    Both are initialised as PyTorch does by default (Kaiming-uniform with a = sqrt(5)), which comes
    down to U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = C_in * K * K, for weight and bias alike.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0):
        """
        Inputs:
        - in_channels: C_in, number of input channels.
        - out_channels: C_out, number of filters.
        - kernel_size: K, filters are K x K.
        - stride: S, step between neighbouring filter positions, in both directions.
        - padding: P, zeros added on every side of the input before filtering.
        """
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.weight = None
        self.bias = None
        ### BEGIN SOLUTION
        fan_in = in_channels * kernel_size * kernel_size
        bound = 1 / math.sqrt(fan_in)  # kaiming_uniform_(a=sqrt(5)) gives the same bound
        shape = (out_channels, in_channels, kernel_size, kernel_size)
        self.weight = nn.Parameter(torch.empty(shape).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_channels).uniform_(-bound, bound))
        ### END SOLUTION

    def forward(self, x):
        """
        Inputs:
        - x: input images, tensor of shape (N, C_in, H, W).

        Returns:
        - out: tensor of shape (N, C_out, H_out, W_out), where
          H_out = (H + 2 * P - K) // S + 1 and W_out = (W + 2 * P - K) // S + 1;
          out[n, f, i, j] = bias[f] + sum over c, a, b of
          weight[f, c, a, b] * x_padded[n, c, i * S + a, j * S + b].
        """
        out = None
        ### BEGIN SOLUTION
        N, C, H, W = x.shape
        K, S, P = self.kernel_size, self.stride, self.padding
        H_out, W_out = (H + 2 * P - K) // S + 1, (W + 2 * P - K) // S + 1
        cols = F.unfold(x, K, padding=P, stride=S)  # (N, C*K*K, H_out*W_out), one column per position
        filters = self.weight.reshape(self.out_channels, -1)  # (C_out, C*K*K)
        out = filters @ cols  # (N, C_out, H_out*W_out)
        out = out + self.bias.view(1, -1, 1)
        out = out.view(N, self.out_channels, H_out, W_out)  # (N, C_out, H_out, W_out)
        ### END SOLUTION
        return out


class MaxPool2d(nn.Module):
    """
    Max pooling: the largest value of each K x K window, windows S apart, channel by channel.
    The gradient flows only to the position that held the maximum of its window (summed where
    windows overlap), exactly as F.max_pool2d routes it.
    """

    def __init__(self, kernel_size, stride=None):
        """
        Inputs:
        - kernel_size: K, windows are K x K.
        - stride: S, step between windows; None means S = K (windows side by side).
        """
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride

    def forward(self, x):
        """
        Inputs:
        - x: tensor of shape (N, C, H, W).

        Returns:
        - out: tensor of shape (N, C, H_out, W_out), H_out = (H - K) // S + 1, W_out = (W - K) // S + 1.
        """
        out = None
        ### BEGIN SOLUTION
        N, C, H, W = x.shape
        K, S = self.kernel_size, self.stride
        H_out, W_out = (H - K) // S + 1, (W - K) // S + 1
        cols = F.unfold(x.reshape(N * C, 1, H, W), K, stride=S)  # (N*C, K*K, H_out*W_out)
        out = cols.max(dim=1).values  # (N*C, H_out*W_out)
        out = out.view(N, C, H_out, W_out)
        ### END SOLUTION
        return out


class AvgPool2d(nn.Module):
    """
    Average pooling: the mean of each K x K window, windows S apart, channel by channel.
    Each input position receives 1 / (K * K) of the gradient of every window it belongs to.
    """

    def __init__(self, kernel_size, stride=None):
        """
        Inputs:
        - kernel_size: K, windows are K x K.
        - stride: S, step between windows; None means S = K.
        """
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride

    def forward(self, x):
        """
        Inputs:
        - x: tensor of shape (N, C, H, W).

        Returns:
        - out: tensor of shape (N, C, H_out, W_out), H_out = (H - K) // S + 1, W_out = (W - K) // S + 1.
        """
        out = None
        ### BEGIN SOLUTION
        N, C, H, W = x.shape
        K, S = self.kernel_size, self.stride
        H_out, W_out = (H - K) // S + 1, (W - K) // S + 1
        cols = F.unfold(x.reshape(N * C, 1, H, W), K, stride=S)  # (N*C, K*K, H_out*W_out)
        out = cols.mean(dim=1).view(N, C, H_out, W_out)
        ### END SOLUTION
        return out


class ReLU(nn.Module):
    """Rectified linear unit, elementwise: max(x, 0)."""

    def forward(self, x):
        """
        Inputs:
        - x: tensor of any shape.

        Returns:
        - out: tensor of the same shape as x.
        """
        out = None
        ### BEGIN SOLUTION
        out = x.clamp(min=0)
        ### END SOLUTION
        return out


class Flatten(nn.Module):
    """Flattens every dimension but the first: (N, d_1, ..., d_k) -> (N, d_1 * ... * d_k)."""

    def forward(self, x):
        """
        Inputs:
        - x: tensor of shape (N, d_1, ..., d_k).

        Returns:
        - out: tensor of shape (N, D) with D = d_1 * ... * d_k, in row-major (C) order.
        """
        out = None
        ### BEGIN SOLUTION
        out = x.reshape(x.shape[0], -1)
        ### END SOLUTION
        return out


class Linear(nn.Module):
    """
    Fully connected layer: out = x @ weight.T + bias (PyTorch's layout).

    Parameters (created in __init__ with these names and shapes):
    - weight: tensor of shape (D_out, D_in).
    - bias: tensor of shape (D_out,).
    Both initialised U(-1/sqrt(D_in), 1/sqrt(D_in)), as nn.Linear does by default.
    """

    def __init__(self, in_features, out_features):
        """
        Inputs:
        - in_features: D_in.
        - out_features: D_out.
        """
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = None
        self.bias = None
        ### BEGIN SOLUTION
        bound = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound))
        ### END SOLUTION

    def forward(self, x):
        """
        Inputs:
        - x: tensor of shape (N, D_in).

        Returns:
        - out: tensor of shape (N, D_out).
        """
        out = None
        ### BEGIN SOLUTION
        out = x @ self.weight.T + self.bias  # (N, D_out)
        ### END SOLUTION
        return out
