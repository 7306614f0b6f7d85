"""Mixup (Zhang et al., ICLR 2018) for the classifier phases: each batch becomes lam * x + (1 - lam) * x'
with x' the same batch shuffled, and the targets mix the same way (as distributions, so FERPlus's vote
targets and majority labels both work), lam ~ Beta(alpha, alpha).

The draw is seeded by the step number, so a resumed run mixes exactly as an uninterrupted one.
"""
import torch
import torch.nn.functional as F


def mix(images: torch.Tensor, targets: torch.Tensor, num_classes: int, alpha: float, step: int):
    """(mixed images, mixed target distributions [N, K], lam). `targets`: labels [N] or distributions [N, K]."""
    dist = targets.float() if targets.dim() == 2 else F.one_hot(targets, num_classes).float()
    rng = torch.Generator().manual_seed(1_000_003 * (step + 1))
    # Beta(a, a) as g1 / (g1 + g2) of two Gamma(a) draws: torch's Beta distribution takes no generator.
    g = torch._standard_gamma(torch.full((2,), float(alpha)), generator=rng)
    lam = float(g[0] / g.sum())
    order = torch.randperm(images.shape[0], generator=rng).to(images.device)
    return lam * images + (1 - lam) * images[order], lam * dist + (1 - lam) * dist[order], lam
