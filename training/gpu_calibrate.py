"""Size a time-boxed GPU run from a few seconds of measurement on the machine itself.

    python3 training/gpu_calibrate.py time --role pfvit --name c1 --dir CAL --wait-for CAL/unpacked
    python3 training/gpu_calibrate.py plan --dir CAL --stage c --seconds 280 --workers 4

`time` builds one of the models of training/recipes/gpu-ferplus.sh on the device, runs a few warm-up
steps of its training step on random images (the same computation as train_mae.py, train_vit.py and
train_pfvit.py's steps, with their batch sizes and optimisers), waits until every --wait-for file
exists (so that several roles start timing together and share the GPU as the real runs will, and the
CPU is no longer busy unpacking), then times steps for --seconds and writes DIR/NAME.json. The `mae` role
also times FaceDataset.__getitem__ on the unpacked images: the loader's cost per image.

`plan` turns those figures into epochs that fit a number of seconds: MAE epochs for stage b, and
epochs plus the lr-drop epoch (70 %) for stage c. The estimate is the larger of the GPU steps and the
loader work per epoch, plus validation and checkpoints, times a 1.15 safety factor. The training
scripts' --max-minutes still bounds every stage if the estimate is wrong.
"""
import argparse
import contextlib
import json
import math
import os
import sys
import time

import torch

TRAINING_DIR = os.path.dirname(os.path.abspath(__file__))
if TRAINING_DIR not in sys.path:
    sys.path.insert(0, TRAINING_DIR)

# FERPlus sizes (majority protocol): what one epoch of each stage goes through.
MAE_IMAGES, TRAIN_IMAGES, VAL_IMAGES = 32137, 25045, 3191
BATCH = {'mae': 256, 'pfvit': 128, 'vit': 32}
SAFETY = 1.15
LOADER_EFFICIENCY = 0.7   # workers rarely all decode at once (collation, IPC, the main process)


def build_step(role: str, device: torch.device, batch: int):
    from pfvit.extractor import FrozenExtractor
    from pfvit.losses import (abs_cosine, adversarial_loss, emotion_loss,
                              reconstruction_loss)
    from pfvit.mae import MAE
    from pfvit.pfvit import PFViT, ViTClassifier
    from pfvit.presets import model_config
    from pfvit.schedules import param_groups_without_decay
    from pfvit.steps import discriminator_step

    cfg = model_config('cpu_small')
    size = cfg.img_size
    pinned = device.type == 'cuda'
    x_cpu = torch.randn(batch, 3, size, size)
    y_cpu = torch.randint(0, cfg.num_classes, (batch,))
    if pinned:
        x_cpu, y_cpu = x_cpu.pin_memory(), y_cpu.pin_memory()
    use_bf16 = device.type == 'cpu' or torch.cuda.is_bf16_supported()

    def autocast():
        return torch.autocast(device_type=device.type, dtype=torch.bfloat16) if use_bf16 else contextlib.nullcontext()

    sums = {}

    def account(losses):  # what Run.train does with each step's losses
        for k, v in losses.items():
            sums[k] = sums.get(k, 0.0) + v.detach()

    if role == 'mae':
        model = MAE(cfg).to(device)
        opt = torch.optim.AdamW(param_groups_without_decay(model, 0.05), lr=1.5e-4, betas=(0.9, 0.95))

        def step():
            x = x_cpu.to(device, non_blocking=True)
            with autocast():
                loss, _, _ = model(x)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            account({'loss': loss})
    elif role == 'vit':
        model = ViTClassifier(cfg).to(device)
        opt = torch.optim.Adam(model.parameters(), lr=1e-4)

        def step():
            x, y = x_cpu.to(device, non_blocking=True), y_cpu.to(device, non_blocking=True)
            with autocast():
                loss = emotion_loss(model(x), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            account({'loss_emo': loss})
    elif role == 'pfvit':  # train_pfvit.py's step with the default --ortho perceptual
        model = PFViT(cfg).to(device)
        extractor = FrozenExtractor(cfg).to(device)
        disc, k, neutral = model.discriminator, cfg.num_classes, 0
        opt_main = torch.optim.Adam([p for n, p in model.named_parameters()
                                     if not n.startswith('discriminator.') and p.requires_grad], lr=1e-4)
        opt_d = torch.optim.Adam(disc.parameters(), lr=1e-4, betas=(0.5, 0.999))

        def step():
            x, y = x_cpu.to(device, non_blocking=True), y_cpu.to(device, non_blocking=True)
            n = x.shape[0]
            model.train()
            with autocast():
                z, _, v_e, v_p = model.separate(x)
                logits = model.classify(v_e)
                generated = model.generator(torch.cat([z, v_p, v_e]))
                x_hat, x_tilde = generated[:n], generated[n:2 * n]
                losses = {'loss_emo': emotion_loss(logits, y)}
                losses['loss_rec'], losses['loss_rec_neutral'] = reconstruction_loss(x_hat, x_tilde, x, y, neutral)
                disc.requires_grad_(False)
                judged = disc(generated[:2 * n])
                losses['loss_adv'] = adversarial_loss(judged[:n], judged[n:], y, k, neutral)
                features = extractor(torch.cat([generated[2 * n:], x_tilde]))
                losses['loss_orth_perceptual'] = abs_cosine(features[:n], features[n:])
                total = sum(losses.values())
            opt_main.zero_grad(set_to_none=True)
            total.backward()
            opt_main.step()
            losses['loss_dis'] = discriminator_step(disc, opt_d, x, x_hat, x_tilde, y, k, neutral, autocast)
            losses['loss_total'] = total
            account(losses)
    else:
        raise SystemExit(f'unknown role {role!r}')
    return step


def getitem_ms(data_dir: str, count: int = 300) -> float:
    """Mean ms per FaceDataset item (PNG decode, crop, flip, resize, normalise) on one core."""
    from pfvit.augment import FaceTransform
    from pfvit.data import FaceDataset, ferplus_samples
    torch.set_num_threads(1)
    samples = ferplus_samples('train', data_dir, labelled=False)[:count]
    dataset = FaceDataset(samples, FaceTransform(112, train=True, scale=(0.5, 1.0)))
    for i in range(min(20, len(dataset))):
        dataset[(i, i)]
    start = time.perf_counter()
    for i in range(len(dataset)):
        dataset[(i, i + 1)]
    return (time.perf_counter() - start) / max(1, len(dataset)) * 1000


def time_role(args) -> dict:
    os.makedirs(args.dir, exist_ok=True)
    done = os.path.join(args.dir, f'{args.name}.done')
    result = {'role': args.role, 'name': args.name}
    try:
        torch.set_num_threads(2)
        device = torch.device('cuda' if args.device == 'cuda' or (args.device == 'auto' and torch.cuda.is_available())
                              else 'cpu')
        batch = args.batch_size or BATCH[args.role]
        sync = torch.cuda.synchronize if device.type == 'cuda' else (lambda: None)
        step = build_step(args.role, device, batch)
        t0 = time.perf_counter()
        for _ in range(args.warmup):
            step()
        sync()
        result['warmup_s'] = round(time.perf_counter() - t0, 3)
        deadline = time.monotonic() + args.wait_timeout
        while not all(os.path.exists(f) for f in args.wait_for) and time.monotonic() < deadline:
            time.sleep(0.05)
        result['waited_for_all'] = all(os.path.exists(f) for f in args.wait_for)
        # Time for a fixed wall-clock window (not a fixed step count), so that roles timing together
        # share the GPU for the whole window, as the real runs will.
        sync()
        t0 = time.perf_counter()
        steps = 0
        while steps < args.min_steps or time.perf_counter() - t0 < args.seconds:
            step()
            steps += 1
            if steps % 5 == 0:
                sync()
        sync()
        result.update(ms_per_step=round((time.perf_counter() - t0) / steps * 1000, 3), batch=batch,
                      steps=steps, device=str(device), torch=str(torch.__version__))
        if args.data_dir and os.path.isdir(os.path.join(args.data_dir, 'ferplus')):
            result['getitem_ms'] = round(getitem_ms(args.data_dir), 4)
    except Exception as e:  # noqa: BLE001 - the plan falls back to its defaults
        result['error'] = f'{type(e).__name__}: {e}'
    finally:
        with open(os.path.join(args.dir, f'{args.name}.json'), 'w') as f:
            json.dump(result, f)
        open(done, 'w').close()
    print(json.dumps(result))
    return result


def read_calibration(folder: str) -> dict:
    """role -> worst ms_per_step over that role's processes; plus getitem_ms."""
    figures = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith('.json'):
            continue
        with open(os.path.join(folder, name)) as f:
            r = json.load(f)
        if 'ms_per_step' in r:
            figures[r['role']] = max(figures.get(r['role'], 0.0), r['ms_per_step'])
        if 'getitem_ms' in r:
            figures['getitem_ms'] = r['getitem_ms']
    return figures


def plan(args) -> dict:
    fig = read_calibration(args.dir)
    item_s = fig.get('getitem_ms', args.default_getitem_ms) / 1000
    if args.stage == 'mae':
        steps = MAE_IMAGES // BATCH['mae']
        gpu = steps * fig['mae'] / 1000
        loader = MAE_IMAGES * item_s / (LOADER_EFFICIENCY * args.workers)
        epoch_s = SAFETY * (max(gpu, loader) + args.epoch_overhead)
        epochs = max(args.min_epochs, min(args.max_epochs, math.floor(args.seconds / epoch_s)))
        out = {'stage': 'mae', 'epochs': epochs, 'epoch_s': round(epoch_s, 2), 'gpu_s': round(gpu, 2),
               'loader_s': round(loader, 2)}
    else:
        loader = TRAIN_IMAGES * item_s / (LOADER_EFFICIENCY * args.workers)
        val_load = VAL_IMAGES * item_s  # validation loads in the main process
        pf = max(TRAIN_IMAGES // BATCH['pfvit'] * fig['pfvit'] / 1000, loader) + val_load + args.epoch_overhead
        vit = max(TRAIN_IMAGES // BATCH['vit'] * fig['vit'] / 1000, loader) + val_load + args.epoch_overhead
        epoch_s = SAFETY * max(pf, vit)
        epochs = max(args.min_epochs, min(args.max_epochs, math.floor(args.seconds / epoch_s)))
        out = {'stage': 'c', 'epochs': epochs, 'lr_drop_epoch': max(1, min(epochs - 1, round(0.7 * epochs))),
               'epoch_s': round(epoch_s, 2), 'pfvit_epoch_s': round(pf, 2), 'vit_epoch_s': round(vit, 2),
               'loader_s': round(loader, 2)}
    out.update(seconds=args.seconds, workers=args.workers, calibration=fig)
    with open(os.path.join(args.dir, f'plan-{args.stage}.txt'), 'w') as f:
        f.write(json.dumps(out) + '\n')
    print(out['epochs'], out.get('lr_drop_epoch', ''))
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='command', required=True)
    t = sub.add_parser('time', help='time one role\'s training steps')
    t.add_argument('--role', required=True, choices=sorted(BATCH))
    t.add_argument('--name', required=True, help='file name for this process\'s result')
    t.add_argument('--dir', required=True)
    t.add_argument('--wait-for', nargs='*', default=[], help='files that must exist before timing')
    t.add_argument('--wait-timeout', type=float, default=60)
    t.add_argument('--warmup', type=int, default=5)
    t.add_argument('--seconds', type=float, default=3.0, help='time steps for this long')
    t.add_argument('--min-steps', type=int, default=5)
    t.add_argument('--batch-size', type=int)
    t.add_argument('--device', default='auto', choices=['auto', 'cpu', 'cuda'])
    t.add_argument('--data-dir', help='folder holding ferplus/: also time the loader (role mae)')
    q = sub.add_parser('plan', help='epochs that fit --seconds')
    q.add_argument('--dir', required=True)
    q.add_argument('--stage', required=True, choices=['mae', 'c'])
    q.add_argument('--seconds', type=float, required=True)
    q.add_argument('--workers', type=int, required=True)
    q.add_argument('--epoch-overhead', type=float, default=1.5,
                   help='seconds per epoch for new loader workers and the epoch\'s checkpoints')
    q.add_argument('--default-getitem-ms', type=float, default=0.5)
    q.add_argument('--min-epochs', type=int, default=3)
    q.add_argument('--max-epochs', type=int, default=60)
    args = p.parse_args(argv)
    return time_role(args) if args.command == 'time' else plan(args)


if __name__ == '__main__':
    main(sys.argv[1:])
