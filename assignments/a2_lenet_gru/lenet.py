"""LeNet-5 (LeCun, Bottou, Bengio, Haffner 1998) built from the hand-written layers in layers.py."""
import torch.nn as nn

from layers import Conv2d, Flatten, Linear, MaxPool2d, ReLU


class LeNet5(nn.Module):
    """
    LeNet-5 for 1 x 32 x 32 images (28 x 28 MNIST digits zero-padded by 2 on every side), 10 classes.

    Architecture (shapes for one image):
      input           1 x 32 x 32
      C1  conv 6 filters 5x5, then ReLU      -> 6 x 28 x 28
      S2  max pooling 2x2, stride 2          -> 6 x 14 x 14
      C3  conv 16 filters 5x5, then ReLU     -> 16 x 10 x 10
      S4  max pooling 2x2, stride 2          -> 16 x 5 x 5
      flatten                                -> 400
      F5  linear 400 -> 120, then ReLU
      F6  linear 120 -> 84, then ReLU
      out linear 84 -> 10 (class scores, no softmax)
    The 1998 paper used scaled tanh units and trainable average pooling, and connected C3 to only
    some of S2's maps; this version uses ReLU, max pooling and full connections, as is usual today.
    It has exactly 61,706 parameters: 156 + 2,416 + 48,120 + 10,164 + 850.

    Use only the layers from layers.py (Conv2d, MaxPool2d or AvgPool2d, ReLU, Flatten, Linear).
    """

    def __init__(self):
        super().__init__()
        # YOUR CODE HERE
        raise NotImplementedError()

    def forward(self, x):
        """
        Inputs:
        - x: images, tensor of shape (N, 1, 32, 32).

        Returns:
        - scores: class scores (logits), tensor of shape (N, 10).
        """
        scores = None
        # YOUR CODE HERE
        raise NotImplementedError()
        return scores
