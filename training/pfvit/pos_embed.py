"""Fixed 2D sine-cosine position embeddings, bit-for-bit the layout MAE uses.

The layout matters beyond aesthetics: decoder weights learned by an MAE checkpoint (ours or
facebookresearch's) only make sense with the same embedding, so we reproduce it exactly: for the
patch at (row r, column c) of a g x g grid, the first half of the vector encodes c and the second
half encodes r; each half is [sin(pos * w_k), cos(pos * w_k)] with w_k = 10000^(-k / (D/4)).
Patches are flattened row-major; with a [CLS] slot, row 0 is all zeros.
"""
import numpy as np
import torch


def sincos_1d(dim: int, positions: np.ndarray) -> np.ndarray:
    """[len(positions), dim] sin-cos code of 1D positions (dim must be even)."""
    assert dim % 2 == 0, 'sin-cos embedding needs an even dimension'
    omega = 1.0 / 10000 ** (np.arange(dim // 2, dtype=np.float64) / (dim / 2.0))
    angles = np.outer(positions.reshape(-1).astype(np.float64), omega)
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1)


def sincos_2d(dim: int, grid_size: int, with_cls: bool = True) -> torch.Tensor:
    """[1, (1 if with_cls) + grid_size**2, dim] float32 embedding for a square patch grid."""
    assert dim % 4 == 0, '2D sin-cos embedding needs a dimension divisible by 4'
    rows, cols = np.meshgrid(np.arange(grid_size), np.arange(grid_size), indexing='ij')
    emb = np.concatenate([sincos_1d(dim // 2, cols), sincos_1d(dim // 2, rows)], axis=1)
    if with_cls:
        emb = np.concatenate([np.zeros((1, dim)), emb], axis=0)
    return torch.from_numpy(emb).float().unsqueeze(0)
