"""Cutting images into patch vectors and back. Two orderings exist, each for a reason.

* Embedding input, (channel, row, column): the order of a stride-p Conv2d weight
  [D, C, p, p].reshape(D, C*p*p). Patchify + nn.Linear with this order is the same maths as the
  Conv2d patch embedding of timm/MAE, so their conv weights load by a reshape, and on CPU the
  Linear's bf16 backward is ~2.5x faster than the convolution's.
* Pixel targets and predictions, (row, column, channel): the order MAE's `patchify` uses for its
  loss and its `decoder_pred` head, so a pretrained pixel head keeps its meaning.

Shapes use the static grid size and -1 for the batch so ONNX export keeps a dynamic batch.
"""
import torch


def patches_for_embedding(images: torch.Tensor, patch: int) -> torch.Tensor:
    """[N, C, H, W] -> [N, (H/p)*(W/p), C*p*p], patch vectors ordered (channel, row, column)."""
    _, c, h, w = images.shape
    gh, gw = h // patch, w // patch
    x = images.reshape(-1, c, gh, patch, gw, patch)
    x = x.permute(0, 2, 4, 1, 3, 5)
    return x.reshape(-1, gh * gw, c * patch * patch)


def pixels_to_patches(images: torch.Tensor, patch: int) -> torch.Tensor:
    """[N, C, H, W] -> [N, L, p*p*C], ordered (row, column, channel) like MAE's patchify."""
    _, c, h, w = images.shape
    gh, gw = h // patch, w // patch
    x = images.reshape(-1, c, gh, patch, gw, patch)
    x = x.permute(0, 2, 4, 3, 5, 1)
    return x.reshape(-1, gh * gw, patch * patch * c)


def patches_to_pixels(patches: torch.Tensor, patch: int, grid: int, channels: int = 3) -> torch.Tensor:
    """Inverse of pixels_to_patches for a square grid: [N, g*g, p*p*C] -> [N, C, g*p, g*p]."""
    x = patches.reshape(-1, grid, grid, patch, patch, channels)
    x = x.permute(0, 5, 1, 3, 2, 4)
    return x.reshape(-1, channels, grid * patch, grid * patch)
