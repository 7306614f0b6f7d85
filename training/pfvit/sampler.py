"""Data order that can be resumed in the middle of an epoch.

The order of epoch e is a permutation drawn from (seed, e) alone, and every item carries a seed for
its own augmentation. A run stopped after batch b of epoch e and resumed there sees exactly the
batches an uninterrupted run would have seen.
"""
import torch


class EpochBatches:
    """Batches of (dataset index, augmentation seed) for one epoch, starting at batch `start`."""

    def __init__(self, size: int, batch_size: int, seed: int, epoch: int, start: int = 0,
                 shuffle: bool = True, drop_last: bool = True):
        self.size, self.batch_size, self.seed, self.epoch = size, batch_size, seed, epoch
        self.start, self.shuffle, self.drop_last = start, shuffle, drop_last

    def batches_per_epoch(self) -> int:
        full, rest = divmod(self.size, self.batch_size)
        return full if self.drop_last or rest == 0 else full + 1

    def __len__(self) -> int:
        return max(0, self.batches_per_epoch() - self.start)

    def __iter__(self):
        if self.shuffle:
            g = torch.Generator().manual_seed(self.seed * 100_003 + self.epoch)
            order = torch.randperm(self.size, generator=g).tolist()
        else:
            order = list(range(self.size))
        for b in range(self.start, self.batches_per_epoch()):
            positions = range(b * self.batch_size, min(self.size, (b + 1) * self.batch_size))
            yield [(order[p], self.item_seed(p)) for p in positions]

    def item_seed(self, position: int) -> int:
        return ((self.seed * 1_000_003 + self.epoch) * 10_000_019 + position) % (2 ** 62)
