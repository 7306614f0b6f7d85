"""Attention rollout (Abnar & Zuidema 2020): how much the [CLS] token draws on each patch through
all layers, counting the residual path. Written with plain tensor ops so it exports to ONNX."""
from typing import List

import torch


def attention_rollout(attentions: List[torch.Tensor], grid: int) -> torch.Tensor:
    """Per-layer weights [N, heads, T, T] (token 0 = [CLS]) -> [N, grid, grid], scaled to max 1.

    Heads are averaged, the identity is added for the skip connection (0.5 A + 0.5 I), rows are
    renormalised, and the layers are multiplied first to last."""
    rollout = None
    for attn in attentions:
        a = attn.float().mean(dim=1)
        eye = torch.eye(a.shape[-1], dtype=a.dtype, device=a.device)
        a = 0.5 * a + 0.5 * eye
        a = a / a.sum(dim=-1, keepdim=True)
        rollout = a if rollout is None else a @ rollout
    cls_to_patches = rollout[:, 0, 1:]
    cls_to_patches = cls_to_patches / cls_to_patches.max(dim=1, keepdim=True)[0].clamp_min(1e-12)
    return cls_to_patches.reshape(-1, grid, grid)
