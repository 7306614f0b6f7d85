"""Readers that turn a folder of faces into samples (path, label), and the Dataset that loads them.

* FERPlus, in the layout FERPlus's generate_training_data.py leaves: FER2013{Train,Valid,Test}/
  with PNGs and a votes file `label.csv`; labels by the benchmark's "majority" protocol.
* ImageFolder: root/<class name>/*.png|jpg.
* Plain image files (any depth, labels ignored) for MAE pre-training.
"""
import csv
import os
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

import torch
from PIL import Image
from torch.utils.data import Dataset

# The FERPlus papers' class order, neutral first. label.csv has these 8 votes, then unknown and NF.
FERPLUS_CLASSES = ['neutral', 'happiness', 'surprise', 'sadness', 'anger', 'disgust', 'fear', 'contempt']
NEUTRAL = 0
FERPLUS_SPLITS = {'train': 'FER2013Train', 'valid': 'FER2013Valid', 'test': 'FER2013Test'}
IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.webp')

UNLABELLED = -1


@dataclass(frozen=True)
class Sample:
    path: str
    label: int = UNLABELLED
    # FERPlus: the annotators' votes over the 8 emotions (votes of 1 removed, as the majority
    # protocol does), for training on the vote distribution instead of the majority alone.
    votes: Optional[Tuple[int, ...]] = None


def default_data_dir() -> str:
    """$PF_DATA_DIR, else ../shared/data beside the repository (never inside it)."""
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.environ.get('PF_DATA_DIR') or os.path.join(os.path.dirname(repo), 'shared', 'data')


def ferplus_root(data_dir: Optional[str] = None) -> str:
    return os.path.join(data_dir or default_data_dir(), 'ferplus')


def majority_label(votes: Sequence[int]) -> Optional[int]:
    """FERPlus "majority" mode: votes of 1 count as 0 (outlier removal); the image is kept only if
    one class holds strictly more than half of the remaining votes and that class is one of the 8
    emotions (not unknown, not NF). Returns the class index or None if the image is dropped."""
    cleaned = [0 if v <= 1 else v for v in votes]
    total = sum(cleaned)
    best = max(range(len(cleaned)), key=cleaned.__getitem__)
    if total == 0 or cleaned[best] * 2 <= total or best >= len(FERPLUS_CLASSES):
        return None
    return best


def read_votes(label_csv: str) -> List[Tuple[str, List[int]]]:
    """Rows of label.csv: `name,"(0, 0, 48, 48)",v0..v9` -> (name, ten vote counts)."""
    with open(label_csv, newline='') as f:
        return [(row[0], [int(v) for v in row[2:12]]) for row in csv.reader(f) if row]


def ferplus_samples(split: str, data_dir: Optional[str] = None, limit: Optional[int] = None,
                    labelled: bool = True) -> List[Sample]:
    """Samples of one FERPlus split. labelled=True applies the majority protocol (the benchmark);
    labelled=False returns every image, unlabelled (for MAE pre-training)."""
    folder = os.path.join(ferplus_root(data_dir), FERPLUS_SPLITS[split])
    samples = []
    for name, votes in read_votes(os.path.join(folder, 'label.csv')):
        label = majority_label(votes) if labelled else UNLABELLED
        if labelled and label is None:
            continue
        emotion_votes = tuple(0 if v <= 1 else v for v in votes[:len(FERPLUS_CLASSES)])
        samples.append(Sample(os.path.join(folder, name), label, emotion_votes if labelled else None))
        if limit and len(samples) >= limit:
            break
    return samples


def image_folder_samples(root: str, classes: Optional[List[str]] = None) -> Tuple[List[Sample], List[str]]:
    """root/<class>/<image>. Without `classes`, folders named like FERPlus classes keep FERPlus order
    (so 0 stays neutral); any other set of folders is sorted by name."""
    if classes is None:
        folders = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
        if set(folders) <= set(FERPLUS_CLASSES):
            classes = [c for c in FERPLUS_CLASSES if c in folders]
        else:
            classes = folders
    samples = []
    for label, name in enumerate(classes):
        folder = os.path.join(root, name)
        for file in sorted(os.listdir(folder)):
            if file.lower().endswith(IMAGE_EXTENSIONS):
                samples.append(Sample(os.path.join(folder, file), label))
    return samples, classes


def image_file_samples(root: str, limit: Optional[int] = None) -> List[Sample]:
    """Every image under root, unlabelled, in a stable order."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        found.extend(os.path.join(folder, f) for f in sorted(files) if f.lower().endswith(IMAGE_EXTENSIONS))
    return [Sample(p) for p in (found[:limit] if limit else found)]


def soft_target(sample: Sample, num_classes: int) -> torch.Tensor:
    """The vote distribution over the classes; a one-hot majority label where there are no votes."""
    if sample.votes and sum(sample.votes) > 0:
        t = torch.tensor(sample.votes[:num_classes], dtype=torch.float32)
        return t / t.sum()
    t = torch.zeros(num_classes)
    t[sample.label] = 1.0
    return t


class FaceDataset(Dataset):
    """Loads a sample as RGB (grayscale faces are repeated over 3 channels) and applies the transform.

    Items are requested as (index, seed) by the resumable sampler: the seed drives this sample's
    augmentation, so a resumed run and an uninterrupted one see identical crops and flips.
    With `soft_classes=K` the target is the K-class vote distribution (soft_target), not the label."""

    def __init__(self, samples: List[Sample], transform: Callable, soft_classes: Optional[int] = None):
        self.samples = samples
        self.transform = transform
        self.soft_classes = soft_classes

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, key):
        index, seed = key if isinstance(key, tuple) else (key, 0)
        sample = self.samples[index]
        with Image.open(sample.path) as img:
            image = img.convert('RGB')
        target = soft_target(sample, self.soft_classes) if self.soft_classes else sample.label
        return self.transform(image, seed), target
