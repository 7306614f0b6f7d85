"""PF-ViT's loss terms as plain functions of tensors. Each returns a scalar in float32
(autocast may hand us bf16 activations; the reductions are done in full precision)."""
import torch
import torch.nn.functional as F

from .data import NEUTRAL


def emotion_loss(logits: torch.Tensor, labels: torch.Tensor, class_weights: torch.Tensor = None) -> torch.Tensor:
    """L_emo: cross-entropy of C(V_e) with the label, or with a target distribution [N, K] (FERPlus
    votes). `class_weights` [K] re-weights each class's share of the target (rare classes up)."""
    logits = logits.float()
    if labels.dim() == 1:
        return F.cross_entropy(logits, labels, weight=class_weights)
    targets = labels if class_weights is None else labels * class_weights
    per_image = -(targets * F.log_softmax(logits, dim=1)).sum(dim=1)
    # Normalise like cross_entropy(weight=...): by the total weight, so the scale stays ~1.
    return per_image.sum() / targets.sum().clamp_min(1e-8)


def hard_labels(labels: torch.Tensor) -> torch.Tensor:
    """The class index of each target: itself for labels, the argmax of a vote distribution."""
    return labels if labels.dim() == 1 else labels.argmax(dim=1)


def balancing_weights(labels, num_classes: int, power: float) -> torch.Tensor:
    """Per-class loss weights (1 / frequency) ** power, scaled so the average image weighs 1.
    power 0: plain loss; 1: every class weighs the same in total; 0.5: in between."""
    counts = torch.bincount(torch.as_tensor(labels), minlength=num_classes).float().clamp_min(1)
    w = (counts.sum() / counts) ** power
    return w / (w * counts).sum() * counts.sum()


def reconstruction_loss(reconstruction: torch.Tensor, poker_face: torch.Tensor, images: torch.Tensor,
                        labels: torch.Tensor, neutral: int = NEUTRAL):
    """L_rec = ||x^ - x|| on every image + ||x~ - x|| on the images labelled neutral (for those the
    poker face is the image itself). Mean squared error per pixel, so the term's size does not depend
    on the input size; the neutral term is averaged over neutral images only (0 if none).
    Returns (all-images term, neutral term)."""
    rec = F.mse_loss(reconstruction.float(), images)
    is_neutral = labels == neutral
    if is_neutral.any():
        poker = F.mse_loss(poker_face.float()[is_neutral], images[is_neutral])
    else:
        poker = images.new_zeros(())
    return rec, poker


def discriminator_targets(labels: torch.Tensor, num_classes: int, real: bool, as_neutral: bool = False,
                          neutral: int = NEUTRAL):
    """The K+1 targets of the paper: one-hot emotion (neutral for a poker face), then 1 for a real
    image and 0 for a generated one."""
    emotion = torch.full_like(labels, neutral) if as_neutral else labels
    one_hot = F.one_hot(emotion, num_classes).float()
    realness = torch.full((labels.shape[0], 1), 1.0 if real else 0.0, device=labels.device)
    return torch.cat([one_hot, realness], dim=1)


def _bce(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits.float(), targets)


def discriminator_loss(d_real, d_reconstruction, d_poker, labels, num_classes: int,
                       neutral: int = NEUTRAL) -> torch.Tensor:
    """L_dis for D: real x -> (label, real); x^ -> (label, fake); x~ -> (neutral, fake)."""
    def targets(real, as_neutral=False):
        return discriminator_targets(labels, num_classes, real, as_neutral, neutral)
    return (_bce(d_real, targets(real=True)) + _bce(d_reconstruction, targets(real=False))
            + _bce(d_poker, targets(real=False, as_neutral=True))) / 3


def adversarial_loss(d_reconstruction, d_poker, labels, num_classes: int, neutral: int = NEUTRAL) -> torch.Tensor:
    """The E/S/G side of L_dis: the same emotion targets, but both generated faces should be judged
    real; so x^ must keep the emotion and look real, and x~ must look real and neutral."""
    def targets(as_neutral=False):
        return discriminator_targets(labels, num_classes, True, as_neutral, neutral)
    return (_bce(d_reconstruction, targets()) + _bce(d_poker, targets(as_neutral=True))) / 2


def abs_cosine(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of |<a, b>| / (||a|| ||b||), each sample flattened to one vector."""
    a, b = a.float().flatten(1), b.float().flatten(1)
    return F.cosine_similarity(a, b, dim=1, eps=1e-8).abs().mean()
