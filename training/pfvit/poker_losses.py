"""Loss terms of the composing poker-face generator (train_pokerface.py), as plain tensor functions.
Each returns a float32 scalar."""
import math

import torch
import torch.nn.functional as F

from .losses import discriminator_targets


def neutral_push(log_probs: torch.Tensor, neutral: int, enough: float = 0.7) -> torch.Tensor:
    """-log p(neutral) from a training judge's log-probabilities, but only while p(neutral) <
    `enough`: a hinge, so the generator stops pushing once the judge is reasonably convinced instead
    of driving it to certainty (the last stretch is where a generator learns to fool rather than to
    neutralise)."""
    nll = -log_probs.float()[:, neutral]
    return F.relu(nll - (-math.log(enough))).mean()


def changed_share(keep: torch.Tensor) -> torch.Tensor:
    """Mean of 1 - m: how much of the face the poker face replaces (L1 sparsity of the change)."""
    return (1 - keep.float()).mean()


def moved_share(flow: torch.Tensor, warp_px: float) -> torch.Tensor:
    """Mean displacement over its bound (0..1): move as little as the neutral push allows, like
    changed_share for the mask."""
    return flow.float().abs().mean() / warp_px


def roughness(keep: torch.Tensor) -> torch.Tensor:
    """Total variation of the keep mask: one smooth region around a mouth, not speckles."""
    m = keep.float()
    return (m[..., 1:, :] - m[..., :-1, :]).abs().mean() + (m[..., :, 1:] - m[..., :, :-1]).abs().mean()


def pixel_l1_per_face(a: torch.Tensor, b: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """Mean |a - b| of each face [N], in pixel units (0..1), for faces in the normalised space with
    channel `std` (the poker-face figures of `pokerface eval` are in these units)."""
    return ((a.float() - b.float()).abs() * std.view(1, -1, 1, 1)).mean(dim=(1, 2, 3))


def pixel_l1(a: torch.Tensor, b: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """pixel_l1_per_face over the batch (faces are all one size, so the mean of the pixels)."""
    return pixel_l1_per_face(a, b, std).mean()


def realism_loss_for_d(d_real: torch.Tensor, d_poker: torch.Tensor, labels: torch.Tensor, num_classes: int,
                       neutral: int) -> torch.Tensor:
    """D's side (K+1 targets as in the paper): real faces are real with their label; poker faces
    are fake, and neutral. D thereby learns what a real neutral face looks like. The two groups may
    differ in size; a batch without real faces (e.g. no neutral-labelled one) trains the fake side only."""
    poker = neutral_targets(d_poker, num_classes, neutral, real=False)
    fake_term = F.binary_cross_entropy_with_logits(d_poker.float(), poker)
    if d_real.shape[0] == 0:
        return fake_term
    real = discriminator_targets(labels, num_classes, real=True, neutral=neutral)
    return (F.binary_cross_entropy_with_logits(d_real.float(), real) + fake_term) / 2


def realism_loss_for_g(d_poker: torch.Tensor, num_classes: int, neutral: int) -> torch.Tensor:
    """G's side: its poker faces should be judged real and neutral."""
    targets = neutral_targets(d_poker, num_classes, neutral, real=True)
    return F.binary_cross_entropy_with_logits(d_poker.float(), targets)


def neutral_targets(d_poker: torch.Tensor, num_classes: int, neutral: int, real: bool) -> torch.Tensor:
    """D's K+1 targets for every poker face in `d_poker`: neutral, and real or fake. Built from the
    poker faces' own count: the real faces beside them may be fewer (--d-real neutral)."""
    labels = torch.full((d_poker.shape[0],), neutral, dtype=torch.long, device=d_poker.device)
    return discriminator_targets(labels, num_classes, real=real, neutral=neutral)
