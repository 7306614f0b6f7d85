"""Learning-rate schedules that live in a checkpoint (LambdaLR state = the step count)."""
import math

import torch


def warmup_cosine(optimizer, warmup_steps: int, total_steps: int) -> torch.optim.lr_scheduler.LambdaLR:
    """MAE's schedule: linear warm-up, then half a cosine down to 0, per step."""
    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
        return 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))
    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def param_groups_without_decay(model: torch.nn.Module, weight_decay: float):
    """AdamW groups as MAE builds them: no weight decay on biases, norms and tokens (1-D tensors)."""
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if p.requires_grad:
            (no_decay if p.ndim <= 1 or name.endswith(('cls_token', 'mask_token')) else decay).append(p)
    return [{'params': decay, 'weight_decay': weight_decay}, {'params': no_decay, 'weight_decay': 0.0}]
