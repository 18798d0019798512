import copy

import torch
import torch.nn as nn

from ..transformer_layers import *


def clones(module, N):
    """Produce N identical layers (deep copies, so they share no parameters)."""
    return nn.ModuleList([copy.deepcopy(module) for _ in range(N)])


class TransformerEncoder(nn.Module):
    def __init__(self, encoder_layer, num_layers):
        """
        A stack of num_layers encoder layers, each a deep copy of encoder_layer.

        Inputs:
        - encoder_layer: a TransformerEncoderLayer
        - num_layers: how many copies to stack
        """
        super().__init__()
        self.layers = clones(encoder_layer, num_layers)
        self.num_layers = num_layers

    def forward(self, src, src_mask=None):
        """
        Inputs:
        - src: the sequence, of shape (N, S, D)
        - src_mask: optional mask of shape (S, S), passed to every layer

        Returns:
        - output: shape (N, S, D)
        """
        output = src
        for mod in self.layers:
            output = mod(output, src_mask=src_mask)
        return output


class VisionTransformer(nn.Module):
    """
    Vision Transformer (ViT) implementation, after "An Image is Worth 16x16 Words"
    (https://arxiv.org/abs/2010.11929), simplified: no class token, the image is
    classified from the mean of the encoder's output tokens.
    """

    def __init__(self, img_size=32, patch_size=8, in_channels=3,
                 embed_dim=128, num_layers=6, num_heads=4,
                 dim_feedforward=256, num_classes=10, dropout=0.1):
        """
        Inputs:
        - img_size: Size of input image (assumed square).
        - patch_size: Size of each patch (assumed square).
        - in_channels: Number of image channels.
        - embed_dim: Embedding dimension for each patch.
        - num_layers: Number of Transformer encoder layers.
        - num_heads: Number of attention heads.
        - dim_feedforward: Hidden size of feedforward network.
        - num_classes: Number of classification labels.
        - dropout: Dropout probability.
        """
        super().__init__()
        self.num_classes = num_classes
        self.patch_embed = PatchEmbedding(img_size, patch_size, in_channels, embed_dim)
        self.positional_encoding = PositionalEncoding(embed_dim, dropout=dropout)

        encoder_layer = TransformerEncoderLayer(embed_dim, num_heads, dim_feedforward, dropout)
        self.transformer = TransformerEncoder(encoder_layer, num_layers)

        # Final classification head
        self.head = nn.Linear(embed_dim, num_classes)

        self.apply(self._init_weights)

    def _init_weights(self, module):
        """
        Initialize the weights of the network.
        """
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.LayerNorm):
            torch.nn.init.zeros_(module.bias)
            torch.nn.init.ones_(module.weight)

    def forward(self, x):
        """
        Forward pass of Vision Transformer.

        Inputs:
        - x: Input image tensor of shape (N, C, H, W)

        Returns:
        - logits: Output classification logits of shape (N, num_classes)
        """
        N = x.size(0)
        logits = torch.zeros(N, self.num_classes, device=x.device)

        ############################################################################
        # TODO: Implement the forward pass of the Vision Transformer.              #
        # 1. Convert input image into patch embeddings using self.patch_embed.     #
        # 2. Add positional encodings to the patch embeddings.                     #
        # 3. Pass the sequence through the transformer encoder.                    #
        # 4. Average pool the output tokens to get a single vector per image.      #
        # 5. Feed the resulting vector through the classification head.            #
        ############################################################################
        ### BEGIN SOLUTION
        tokens = self.positional_encoding(self.patch_embed(x))  # (N, num_patches, embed_dim)
        tokens = self.transformer(tokens)  # (N, num_patches, embed_dim)
        logits = self.head(tokens.mean(dim=1))  # (N, num_classes)
        ### END SOLUTION
        ############################################################################
        #                             END OF YOUR CODE                             #
        ############################################################################

        return logits
