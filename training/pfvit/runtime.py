"""What every training script shares: device and precision, threads, the resumable epoch loop,
checkpoints (every N minutes, at the end, on SIGTERM/SIGINT), and JSON-lines logs.

Resuming restores model, optimisers, scheduler, RNG states and the position in the data order,
so a resumed run computes the same steps as one that was never interrupted.
"""
import argparse
import contextlib
import json
import os
import random
import signal
import time
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch.utils.data import DataLoader

from .checkpoint import read_file, save_file
from .presets import PRESETS
from .sampler import EpochBatches

TRAINING_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def add_common_args(parser: argparse.ArgumentParser, batch_cpu: int, batch_cuda: int) -> None:
    g = parser.add_argument_group('run')
    g.add_argument('--preset', default='cpu_small', choices=sorted(PRESETS), help='model size')
    g.add_argument('--input-size', type=int, help='input side in pixels (default: the preset\'s, 112)')
    g.add_argument('--data-dir', help='folder holding ferplus/ (default: $PF_DATA_DIR or ../shared/data)')
    g.add_argument('--out', help='run folder for log.jsonl and checkpoints (default: training/runs/<script>)')
    g.add_argument('--resume', help='checkpoint file, or a run folder (uses its last.pt), to continue from')
    g.add_argument('--epochs', type=int, default=100)
    g.add_argument('--max-steps', type=int, help='stop after this many optimiser steps in total')
    g.add_argument('--max-minutes', type=float,
                   help='stop after the current step once this many minutes of wall-clock time have passed '
                        'since this process started the run (saves last.pt, like --max-steps)')
    g.add_argument('--batch-size', type=int, help=f'default {batch_cpu} on CPU, {batch_cuda} on CUDA')
    g.add_argument('--workers', type=int, help='data loader processes (default 0 on CPU, 4 on CUDA)')
    g.add_argument('--threads', type=int, default=available_cpus(),
                   help='torch CPU threads (on a busy machine 1 can be faster)')
    g.add_argument('--device', default='auto', choices=['auto', 'cpu', 'cuda'])
    g.add_argument('--precision', default='bf16', choices=['bf16', 'fp32'],
                   help='bf16 autocast (default; fp32 is 25-45x slower on these CPUs)')
    g.add_argument('--seed', type=int, default=0)
    g.add_argument('--checkpoint-minutes', type=float, default=10.0)
    g.add_argument('--log-every', type=int, default=20, help='steps per log line')
    g.add_argument('--limit', type=int, help='use only the first N training images (tests, smoke runs)')
    g.add_argument('--quiet', action='store_true', help='log to the file only')
    parser.set_defaults(_batch_defaults=(batch_cpu, batch_cuda))


@dataclass
class Progress:
    step: int = 0            # optimiser steps done
    epoch: int = 0           # current epoch
    batch_in_epoch: int = 0  # batches of the current epoch already consumed


class JsonLog:
    def __init__(self, path: str, echo: bool):
        self.path, self.echo = path, echo
        os.makedirs(os.path.dirname(path), exist_ok=True)

    def write(self, record: dict) -> None:
        line = json.dumps(record)
        with open(self.path, 'a') as f:
            f.write(line + '\n')
        if self.echo:
            print(line, flush=True)


def rng_state() -> dict:
    state = {'torch': torch.get_rng_state(), 'numpy': np.random.get_state(), 'python': random.getstate()}
    if torch.cuda.is_available():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    torch.set_rng_state(state['torch'])
    np.random.set_state(state['numpy'])
    random.setstate(state['python'])
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


def allow_tf32() -> None:
    """TF32 for the fp32 matmuls left outside bf16 autocast. PyTorch >= 2.9 deprecates the
    allow_tf32 flags (a warning; mixing them with the new fp32_precision settings can raise), so use
    the flags where they still work and the new setting only where they do not."""
    import warnings
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            torch.backends.cuda.matmul.allow_tf32 = True
            torch.backends.cudnn.allow_tf32 = True
    except Exception:  # noqa: BLE001 - a removed legacy flag must not stop training
        try:
            torch.backends.cuda.matmul.fp32_precision = 'tf32'
        except Exception:  # noqa: BLE001
            pass


class Run:
    """One training run: device, logging, checkpoints and the resumable loop."""

    def __init__(self, args: argparse.Namespace, kind: str):
        self.args, self.kind = args, kind
        torch.set_num_threads(max(1, args.threads))
        want_cuda = args.device == 'cuda' or (args.device == 'auto' and torch.cuda.is_available())
        self.device = torch.device('cuda' if want_cuda else 'cpu')
        if self.device.type == 'cuda':
            allow_tf32()
        self.batch_size = args.batch_size or args._batch_defaults[1 if self.device.type == 'cuda' else 0]
        self.workers = args.workers if args.workers is not None else (4 if self.device.type == 'cuda' else 0)
        self.out_dir = args.out or os.path.join(TRAINING_DIR, 'runs', kind)
        self.log = JsonLog(os.path.join(self.out_dir, 'log.jsonl'), echo=not args.quiet)
        self.progress = Progress()
        self.stop_signal = None
        self._dataset_size = self._resumed_dataset_size = self._resumed_rng = None
        self._last_save = self._started = time.monotonic()
        random.seed(args.seed)
        np.random.seed(args.seed)
        torch.manual_seed(args.seed)

    # --- precision -------------------------------------------------------------------------
    def autocast(self):
        """bf16 autocast on CPU (oneDNN bf16 is ~200x faster than the reference fp32 BLAS here) and
        on CUDA where supported; fp32 otherwise or when asked."""
        if self.args.precision == 'fp32':
            return contextlib.nullcontext()
        if self.device.type == 'cuda' and not torch.cuda.is_bf16_supported():
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=torch.bfloat16)

    # --- data ------------------------------------------------------------------------------
    def loader(self, dataset, epoch: int, start: int = 0, shuffle: bool = True,
               drop_last: bool = True, batch_size: int = None) -> DataLoader:
        batches = EpochBatches(len(dataset), batch_size or self.batch_size, self.args.seed, epoch,
                               start, shuffle, drop_last)
        # An explicit generator keeps DataLoader from drawing its worker seed out of the global RNG,
        # which would make a resumed run's model RNG (MAE masks) diverge.
        return DataLoader(dataset, batch_sampler=batches, num_workers=self.workers,
                          pin_memory=self.device.type == 'cuda',
                          generator=torch.Generator().manual_seed(self.args.seed + epoch))

    # --- checkpoints -----------------------------------------------------------------------
    def steps_per_epoch(self, dataset) -> int:
        return EpochBatches(len(dataset), self.batch_size, self.args.seed, 0).batches_per_epoch()

    def resume_path(self):
        path = self.args.resume
        if path and os.path.isdir(path):
            path = os.path.join(path, 'last.pt')
        return path

    def load_resume(self):
        """The checkpoint dict to continue from, or None. Call restore_rng() after building models."""
        path = self.resume_path()
        if not path:
            return None
        ckpt = read_file(path)
        if ckpt.get('kind') != self.kind:
            raise SystemExit(f'{path} is a {ckpt.get("kind")!r} checkpoint, not {self.kind!r}')
        if ckpt.get('batch_size', self.batch_size) != self.batch_size:
            raise SystemExit(f'{path} was trained with batch size {ckpt["batch_size"]}; resume with the same '
                             '--batch-size so the data order continues where it stopped')
        self.progress = Progress(**ckpt['progress'])
        self._resumed_rng = ckpt['rng']
        self._resumed_dataset_size = ckpt.get('dataset_size')
        self.log.write({'event': 'resume', 'from': path, **asdict(self.progress)})
        return ckpt

    @staticmethod
    def check_config(ckpt: dict, config) -> None:
        if not config.same_as(ckpt['config']):
            raise SystemExit('the checkpoint was trained with another model configuration '
                             f'({ckpt["config"]}); resume with the same --preset and --input-size')

    def restore_rng(self) -> None:
        if self._resumed_rng is not None:
            set_rng_state(self._resumed_rng)

    def save(self, payload: dict, name: str = 'last.pt') -> str:
        path = os.path.join(self.out_dir, name)
        save_file({'kind': self.kind, 'progress': asdict(self.progress), 'rng': rng_state(),
                   'batch_size': self.batch_size, 'dataset_size': self._dataset_size,
                   'args': {k: v for k, v in vars(self.args).items() if not k.startswith('_')},
                   **payload}, path)
        self._last_save = time.monotonic()
        return path

    # --- the loop --------------------------------------------------------------------------
    @contextlib.contextmanager
    def _signals(self):
        def request_stop(signum, _frame):
            self.stop_signal = signal.Signals(signum).name
        old = {s: signal.signal(s, request_stop) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            yield
        finally:
            for s, handler in old.items():
                signal.signal(s, handler)

    def train(self, dataset, step, checkpoint, end_of_epoch=None, lrs=None) -> str:
        """Run `step(images, labels) -> {name: loss}` over the data from the current progress on.

        `checkpoint() -> dict` gives the script's state to save; `end_of_epoch(epoch) -> dict` may
        validate and step a scheduler; `lrs() -> dict` names the learning rates to log.
        Returns why the loop stopped: 'epochs', 'max_steps', 'max_minutes' or the signal name."""
        args = self.args
        self._dataset_size = len(dataset)
        if self._resumed_dataset_size not in (None, len(dataset)):
            raise SystemExit(f'the checkpoint was trained on {self._resumed_dataset_size} images, this run has '
                             f'{len(dataset)}: resume with the same data flags (--limit, folders)')
        per_epoch = self.steps_per_epoch(dataset)
        if per_epoch == 0:
            raise SystemExit(f'{len(dataset)} training images is less than one batch of {self.batch_size}')
        self.log.write({'event': 'start', 'kind': self.kind, 'device': str(self.device),
                        'threads': torch.get_num_threads(), 'batch_size': self.batch_size,
                        'images': len(dataset), 'steps_per_epoch': per_epoch, **asdict(self.progress)})
        # e.g. resumed with the same --max-steps it stopped at. The time budget is checked after
        # steps only, so a run always makes at least one step and saves last.pt.
        already = self._should_stop(check_time=False)
        if already:
            return already
        sums, count, images, tick = {}, 0, 0, time.perf_counter()
        with self._signals():
            while self.progress.epoch < args.epochs:
                for batch_images, labels in self.loader(dataset, self.progress.epoch, self.progress.batch_in_epoch):
                    losses = step(batch_images.to(self.device, non_blocking=True),
                                  labels.to(self.device, non_blocking=True))
                    self.progress.step += 1
                    self.progress.batch_in_epoch += 1
                    for k, v in losses.items():
                        sums[k] = sums.get(k, 0.0) + v.detach()
                    count, images = count + 1, images + len(labels)
                    if self.progress.step % args.log_every == 0:
                        if self.device.type == 'cuda':
                            torch.cuda.synchronize()
                        seconds = time.perf_counter() - tick
                        self.log.write({'step': self.progress.step, 'epoch': self.progress.epoch,
                                        **{k: round(float(v) / count, 6) for k, v in sums.items()},
                                        **(lrs() if lrs else {}), 'img_s': round(images / seconds, 2)})
                        sums, count, images, tick = {}, 0, 0, time.perf_counter()
                    reason = self._should_stop()
                    if reason:
                        self.save(checkpoint())
                        self.log.write({'event': 'stop', 'reason': reason, **asdict(self.progress)})
                        return reason
                    if time.monotonic() - self._last_save > args.checkpoint_minutes * 60:
                        self.save(checkpoint())
                        tick = time.perf_counter()  # saving is not training time
                self.progress.epoch += 1
                self.progress.batch_in_epoch = 0
                if end_of_epoch:
                    self.log.write({'event': 'epoch', 'epoch': self.progress.epoch - 1,
                                    **end_of_epoch(self.progress.epoch - 1)})
                self.save(checkpoint())
                tick = time.perf_counter()
        self.log.write({'event': 'stop', 'reason': 'epochs', **asdict(self.progress)})
        return 'epochs'

    def _should_stop(self, check_time: bool = True):
        if self.stop_signal:
            return self.stop_signal
        if self.args.max_steps is not None and self.progress.step >= self.args.max_steps:
            return 'max_steps'
        if (check_time and self.args.max_minutes is not None
                and time.monotonic() - self._started >= self.args.max_minutes * 60):
            return 'max_minutes'
        return None
