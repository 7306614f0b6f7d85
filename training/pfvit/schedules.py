"""Learning-rate schedules that live in a checkpoint (LambdaLR state = the step count)."""
import math

import torch


def cosine_factor(step: int, warmup_steps: int, total_steps: int, floor: float = 0.01) -> float:
    """The lr multiplier at optimiser step `step` (0-based): linear warm-up, then half a cosine down
    to `floor` (not 0: the last epoch still learns a little). A pure function of the step count, which
    checkpoints already carry, so a resumed run continues on the same curve with no scheduler state."""
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))


def warmup_cosine(optimizer, warmup_steps: int, total_steps: int) -> torch.optim.lr_scheduler.LambdaLR:
    """MAE's schedule: linear warm-up, then half a cosine down to 0, per step."""
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: cosine_factor(step, warmup_steps, total_steps, floor=0.0))


def add_schedule_args(group) -> None:
    group.add_argument('--lr-schedule', default='step', choices=['step', 'cosine'],
                       help='step: constant lr, / 10 at --lr-drop-epoch (and on plateaus where the script '
                            'does that); cosine: --warmup-epochs of linear warm-up, then a cosine over the '
                            'remaining --epochs, per step')
    group.add_argument('--warmup-epochs', type=float, default=1.0, help='with --lr-schedule cosine')


def check_schedule(args) -> None:
    if args.lr_schedule == 'cosine' and args.lr_drop_epoch is not None:
        raise SystemExit('--lr-drop-epoch is for --lr-schedule step; the cosine already lowers the lr')


def set_cosine_lr(optimizers, args, step: int, steps_per_epoch: int) -> None:
    """With --lr-schedule cosine, sets every group's lr for optimiser step `step` from the lr it
    started with (remember_initial_lr); otherwise does nothing."""
    if args.lr_schedule != 'cosine':
        return
    factor = cosine_factor(step, round(args.warmup_epochs * steps_per_epoch), args.epochs * steps_per_epoch)
    for optimizer in optimizers:
        for group in optimizer.param_groups:
            group['lr'] = group['initial_lr_for_drop'] * factor


def param_groups_without_decay(model: torch.nn.Module, weight_decay: float):
    """AdamW groups as MAE builds them: no weight decay on biases, norms and tokens (1-D tensors)."""
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if p.requires_grad:
            (no_decay if p.ndim <= 1 or name.endswith(('cls_token', 'mask_token')) else decay).append(p)
    return [{'params': decay, 'weight_decay': weight_decay}, {'params': no_decay, 'weight_decay': 0.0}]


def drop_lr_at_epoch(optimizers, finished_epoch: int, drop_epoch, factor: float = 0.1) -> None:
    """The paper divides the lr by 10 when validation accuracy plateaus; a short CPU budget ends
    before any plateau, so `--lr-drop-epoch` divides it at a fixed epoch instead. Call after epoch
    `finished_epoch` (0-based) ends: from epoch `drop_epoch` on, each group's lr is at most its
    starting lr × factor. The lr lives in the optimiser's state, so a resumed run keeps it."""
    if drop_epoch is None or finished_epoch + 1 < drop_epoch:
        return
    for optimizer in optimizers:
        for group in optimizer.param_groups:
            group['lr'] = min(group['lr'], group['initial_lr_for_drop'] * factor)


def remember_initial_lr(optimizers) -> None:
    """Records each group's starting lr (saved with the optimiser state) for drop_lr_at_epoch."""
    for optimizer in optimizers:
        for group in optimizer.param_groups:
            group.setdefault('initial_lr_for_drop', group['lr'])
