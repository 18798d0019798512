"""A CIFAR-style residual network (He, Zhang, Ren, Sun 2016, "Deep Residual Learning", section 4.2).

Library layers (nn.Conv2d, nn.BatchNorm2d, nn.Linear, nn.ReLU, pooling) are allowed here: A2 was about
writing convolution by hand; A3 is about the architecture. The attribute names below are part of the
interface: the grader copies weights into your modules by their state-dict names.
"""
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    """
    The two-convolution residual block:

        out = relu( bn2(conv2( relu(bn1(conv1(x))) )) + shortcut(x) )

    - conv1: 3x3, in_channels -> out_channels, stride `stride`, padding 1, no bias
    - bn1:   BatchNorm2d(out_channels)
    - conv2: 3x3, out_channels -> out_channels, stride 1, padding 1, no bias
    - bn2:   BatchNorm2d(out_channels)
    - shortcut: the identity (an empty nn.Sequential()) when stride == 1 and in_channels == out_channels;
      otherwise a projection nn.Sequential(conv 1x1 in_channels -> out_channels with stride `stride` and no
      bias, BatchNorm2d(out_channels)), so that its state-dict keys are shortcut.0.weight, shortcut.1.weight, ...
    The ReLU comes after the addition, not before it.
    """

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        # YOUR CODE HERE
        raise NotImplementedError()

    def forward(self, x):
        """
        Inputs:
        - x: tensor of shape (N, in_channels, H, W)

        Returns:
        - out: tensor of shape (N, out_channels, H', W'), H' = ceil(H / stride), W' = ceil(W / stride)
        """
        out = None
        # YOUR CODE HERE
        raise NotImplementedError()
        return out


class ResNet(nn.Module):
    """
    A CIFAR-style ResNet with three stages:

      stem     conv1: 3x3, in_channels -> w, stride 1, padding 1, no bias; bn1: BatchNorm2d(w); ReLU
      layer1   num_blocks[0] BasicBlocks, w  -> w,  the first with stride 1
      layer2   num_blocks[1] BasicBlocks, w  -> 2w, the first with stride 2
      layer3   num_blocks[2] BasicBlocks, 2w -> 4w, the first with stride 2
      global average pooling over the spatial positions -> (N, 4w)
      fc       nn.Linear(4w, num_classes)

    where w = width. Each layerK is an nn.Sequential of BasicBlocks (state-dict keys layer2.0.conv1.weight, ...);
    the blocks after the first of a stage keep its channels and use stride 1. With the defaults (2, 2, 2)
    the network has 6 blocks, 13 convolutions and one linear layer (ResNet-14).
    """

    def __init__(self, num_blocks=(2, 2, 2), in_channels=1, num_classes=10, width=16):
        super().__init__()
        # YOUR CODE HERE
        raise NotImplementedError()

    def forward(self, x):
        """
        Inputs:
        - x: images, tensor of shape (N, in_channels, H, W)

        Returns:
        - scores: class scores (logits), tensor of shape (N, num_classes)
        """
        scores = None
        # YOUR CODE HERE
        raise NotImplementedError()
        return scores
