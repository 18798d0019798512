"""The CS231n package of assignment 3: transformer layers (transformer_layers.py) and the Vision Transformer
(classifiers/transformer.py). It is imported as a real package, so `from ..transformer_layers import *` works."""
