"""Running a trained model over a labelled dataset (validation during training, evaluate.py)."""
import torch
from torch.utils.data import DataLoader

from .sampler import EpochBatches


@torch.no_grad()
def predict(logits_fn, dataset, device, autocast, batch_size: int = 128, extra_fn=None):
    """Labels and argmax predictions over the whole dataset, in order.

    `extra_fn(images) -> {name: per-image tensor}` may add per-image measurements (for PF-ViT: how
    far the poker face is from the input); they are returned as lists under their names."""
    batches = EpochBatches(len(dataset), batch_size, 0, 0, shuffle=False, drop_last=False)
    labels, predictions, extras = [], [], {}
    # The explicit generator keeps DataLoader from drawing from the global RNG (see runtime.py).
    for images, y in DataLoader(dataset, batch_sampler=batches, generator=torch.Generator()):
        images = images.to(device)
        with autocast():
            logits = logits_fn(images)
            more = extra_fn(images) if extra_fn else {}
        labels.extend(y.tolist())
        predictions.extend(logits.float().argmax(dim=1).tolist())
        for k, v in more.items():
            extras.setdefault(k, []).extend(v.float().tolist())
    return labels, predictions, extras
