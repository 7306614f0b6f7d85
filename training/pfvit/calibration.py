"""Post-hoc corrections of a trained classifier, fitted on validation logits and folded into C.

* Logit adjustment (Menon et al., "Long-tail learning via logit adjustment", 2021): subtract
  tau * log(prior) from the logits, so rare classes (disgust, fear, contempt) are predicted as often
  as their evidence says rather than as rarely as the training set has them. tau = 0 is the plain
  model; tau = 1 is the balanced-error optimum in theory.
* Temperature scaling (Guo et al., "On calibration of modern neural networks", 2017): divide the
  logits by T, fitted by minimising validation NLL, so probabilities match how often the model is
  right. It never changes the argmax.

Both are affine in the logits, so they fold into the last linear layer: the exported graph gives the
calibrated, adjusted logits with no extra operator and the app needs no change.
"""
import math
from typing import Dict, List, Sequence

import torch
import torch.nn.functional as F


def expected_calibration_error(probs: torch.Tensor, labels: torch.Tensor, bins: int = 15) -> float:
    """ECE with equal-width confidence bins: sum over bins of |accuracy - mean confidence| weighted
    by the bin's share of images (Guo et al.'s definition, 15 bins)."""
    confidence, predicted = probs.max(dim=1)
    correct = (predicted == labels).float()
    edges = torch.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = (confidence > lo) & (confidence <= hi)
        if inside.any():
            total += inside.float().mean().item() * abs(correct[inside].mean().item()
                                                        - confidence[inside].mean().item())
    return total


def fit_temperature(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """T > 0 minimising the NLL of softmax(logits / T); a 1-D problem, solved by golden-section
    search on log T in [1/10, 10] (NLL is unimodal in T)."""
    def nll(log_t: float) -> float:
        return F.cross_entropy(logits / math.exp(log_t), labels).item()
    lo, hi = math.log(0.1), math.log(10.0)
    ratio = (math.sqrt(5) - 1) / 2
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = nll(a), nll(b)
    for _ in range(60):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = nll(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = nll(b)
    return math.exp((lo + hi) / 2)


def class_recalls(predicted: torch.Tensor, labels: torch.Tensor, num_classes: int) -> List[float]:
    out = []
    for c in range(num_classes):
        mask = labels == c
        if mask.any():
            out.append((predicted[mask] == c).float().mean().item())
    return out


def summary(logits: torch.Tensor, labels: torch.Tensor) -> Dict[str, float]:
    """Accuracy, mean per-class recall, NLL and ECE of a set of logits."""
    predicted = logits.argmax(dim=1)
    recalls = class_recalls(predicted, labels, logits.shape[1])
    return {'accuracy': (predicted == labels).float().mean().item(),
            'mean_class_recall': sum(recalls) / len(recalls),
            'nll': F.cross_entropy(logits, labels).item(),
            'ece': expected_calibration_error(F.softmax(logits, dim=1), labels)}


def choose_tau(logits: torch.Tensor, labels: torch.Tensor, log_prior: torch.Tensor,
               taus: Sequence[float] = tuple(i / 10 for i in range(0, 16))) -> Dict:
    """The tau with the best mean of accuracy and mean per-class recall on these (validation)
    logits; every candidate's figures are returned for the model card."""
    rows = []
    for tau in taus:
        s = summary(logits - tau * log_prior, labels)
        rows.append({'tau': tau, **{k: round(v, 6) for k, v in s.items()}})
    best = max(rows, key=lambda r: (r['accuracy'] + r['mean_class_recall']) / 2)
    return {'tau': best['tau'], 'candidates': rows}


def fold_into_linear(linear: torch.nn.Linear, temperature: float, bias_shift: torch.Tensor) -> None:
    """Make linear(v) return (linear(v) + bias_shift) / temperature, in place."""
    with torch.no_grad():
        linear.bias.add_(bias_shift.to(linear.bias.dtype))
        linear.weight.div_(temperature)
        linear.bias.div_(temperature)
