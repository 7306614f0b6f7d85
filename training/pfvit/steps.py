"""Pieces of a training step shared by train_pfvit.py and gpu_calibrate.py (which times the same step)."""
import torch

from .losses import discriminator_loss


def discriminator_step(disc, opt_d, x, x_hat, x_tilde, y, k: int, neutral: int, autocast) -> torch.Tensor:
    """D's update: real faces judged real with their label, reconstructions fake with their label,
    poker faces fake and neutral (K+1 targets). Returns L_dis; the generated faces are detached."""
    n = x.shape[0]
    disc.requires_grad_(True)
    with autocast():
        judged = disc(torch.cat([x, x_hat.detach(), x_tilde.detach()]))
        loss = discriminator_loss(judged[:n], judged[n:2 * n], judged[2 * n:], y, k, neutral)
    opt_d.zero_grad(set_to_none=True)
    loss.backward()
    opt_d.step()
    return loss
