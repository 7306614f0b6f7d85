"""Pack FERPlus train + valid into one small file for a machine that cannot see ../shared/data, and
unpack it there into the folder tree the loaders read.

    /usr/bin/python3 training/pack_data.py                       # -> .device/ferplus-trainvalid.pfpack
    python3 training/pack_data.py --unpack /tmp/data             # -> /tmp/data/ferplus/FER2013{Train,Valid}/
    /usr/bin/python3 training/pack_data.py --verify              # decode in memory, compare with the source

The images are 48x48 greyscale PNGs (78 MB as PNG, 74 MB of raw pixels). Each pixel is predicted
from its left, upper and upper-left neighbours with the median edge detector of LOCO-I / JPEG-LS;
the prediction errors (mod 256, zigzag-mapped to bytes) are compressed with LZMA2 (xz, preset 9e,
literal context 4 bits): 47,762,596 bytes for the 32,137 images (the pack this project made). Unpacking recreates bit-identical pixels (checked against a SHA-256 stored in the
pack before any file is written) as PNGs with the same names, and the split's label.csv files, so
`PF_DATA_DIR=<dest>` works with every script unchanged. FER2013Test is never packed: the benchmark
stays on this machine.

Layout of the file: the 8 bytes `PFPACK1\\n`, then one xz stream holding an 8-byte little-endian
header length, the JSON header (files, image groups and their names, checksums), each file's bytes,
then each image group's prediction errors.
"""
import argparse
import hashlib
import json
import os
import struct
import subprocess
import sys
import time

import numpy as np
from PIL import Image

MAGIC = b'PFPACK1\n'
TRAINING_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(TRAINING_DIR)
DEFAULT_PACK = os.path.join(REPO, '.device', 'ferplus-trainvalid.pfpack')
SPLIT_FOLDERS = {'train': 'FER2013Train', 'valid': 'FER2013Valid', 'test': 'FER2013Test'}
# Beside the images only each split's label.csv is read by the loaders (pfvit/data.py); the licence
# travels with the data. fer2013new.csv and fer2013_original_labels.csv are read by nothing here.
TOP_FILES = ('LICENSE.FERPlus.md',)


def default_data_dir() -> str:
    return os.environ.get('PF_DATA_DIR') or os.path.join(os.path.dirname(REPO), 'shared', 'data')


# --- prediction -------------------------------------------------------------------------------
def med_residuals(images: np.ndarray) -> np.ndarray:
    """[n, h, w] uint8 -> zigzag bytes of (pixel - MED prediction) mod 256, same shape."""
    a = images.astype(np.int16)
    pred = np.zeros_like(a)
    left, up, upleft = a[:, 1:, :-1], a[:, :-1, 1:], a[:, :-1, :-1]
    hi, lo = np.maximum(left, up), np.minimum(left, up)
    pred[:, 1:, 1:] = np.where(upleft >= hi, lo, np.where(upleft <= lo, hi, left + up - upleft))
    pred[:, 0, 1:] = a[:, 0, :-1]   # first row: the left neighbour
    pred[:, 1:, 0] = a[:, :-1, 0]   # first column: the upper neighbour
    signed = ((a - pred + 128) & 255) - 128   # -128..127
    return np.where(signed >= 0, 2 * signed, -2 * signed - 1).astype(np.uint8)


def med_decode(residuals: np.ndarray) -> np.ndarray:
    """Inverse of med_residuals. Pixels depend on already decoded neighbours, so it walks the
    h*w positions and decodes that position of every image at once (images on the fast axis)."""
    z = residuals.astype(np.int16)
    signed = (z >> 1) ^ -(z & 1)
    n, h, w = signed.shape
    err = np.ascontiguousarray(signed.transpose(1, 2, 0))  # [h, w, n]
    out = np.empty((h, w, n), np.int16)
    for r in range(h):
        for c in range(w):
            if r == 0:
                pred = out[0, c - 1] if c else 0
            elif c == 0:
                pred = out[r - 1, 0]
            else:
                left, up, upleft = out[r, c - 1], out[r - 1, c], out[r - 1, c - 1]
                hi, lo = np.maximum(left, up), np.minimum(left, up)
                pred = np.where(upleft >= hi, lo, np.where(upleft <= lo, hi, left + up - upleft))
            out[r, c] = (pred + err[r, c]) & 255
    return np.ascontiguousarray(out.transpose(2, 0, 1)).astype(np.uint8)


# --- compression ------------------------------------------------------------------------------
def _lzma():
    try:
        import lzma
        return lzma
    except ImportError:  # a Python built without liblzma: the xz command does the same
        return None


def compress(payload: bytes) -> bytes:
    lzma = _lzma()
    filters = [{'id': lzma.FILTER_LZMA2, 'preset': 9 | lzma.PRESET_EXTREME, 'lc': 4, 'lp': 0, 'pb': 0}]
    return lzma.compress(payload, format=lzma.FORMAT_XZ, filters=filters)


def decompress(stream: bytes) -> bytes:
    lzma = _lzma()
    if lzma is not None:
        return lzma.decompress(stream, format=lzma.FORMAT_XZ)
    return subprocess.run(['xz', '-dc'], input=stream, stdout=subprocess.PIPE, check=True).stdout


def sha256(data) -> str:
    return hashlib.sha256(data).hexdigest()


# --- pack -------------------------------------------------------------------------------------
def read_split(data_dir: str, split: str, limit=None):
    """(split folder name, image file names, label.csv bytes): the names in label.csv order, plus any
    PNG that label.csv does not list (sorted), so that every image of the folder travels."""
    folder = SPLIT_FOLDERS[split]
    root = os.path.join(data_dir, 'ferplus', folder)
    with open(os.path.join(root, 'label.csv'), 'rb') as f:
        label_csv = f.read()
    listed = [line.split(b',', 1)[0].decode() for line in label_csv.splitlines() if line.strip()]
    present = set(n for n in os.listdir(root) if n.lower().endswith('.png'))
    missing = [n for n in listed if n not in present]
    if missing:
        raise SystemExit(f'{root}: label.csv lists {len(missing)} images that are not there, e.g. {missing[:3]}')
    names = listed + sorted(present - set(listed))
    if limit:
        names = names[:limit]
        keep = set(names)
        lines = [line for line in label_csv.splitlines(keepends=True)
                 if line.strip() and line.split(b',', 1)[0].decode() in keep]
        label_csv = b''.join(lines)
    return folder, names, label_csv


def load_images(paths):
    arrays = []
    for path in paths:
        with Image.open(path) as img:
            if img.mode != 'L':
                raise SystemExit(f'{path}: mode {img.mode}; the pack holds 8-bit greyscale images only')
            arrays.append(np.asarray(img, dtype=np.uint8))
    return arrays


def pack(data_dir: str, out: str, splits, limit=None) -> dict:
    t0 = time.time()
    files, groups = [], {}
    for name in TOP_FILES:
        path = os.path.join(data_dir, 'ferplus', name)
        if os.path.isfile(path):
            with open(path, 'rb') as f:
                files.append((f'ferplus/{name}', f.read()))
    for split in splits:
        folder, names, label_csv = read_split(data_dir, split, limit)
        files.append((f'ferplus/{folder}/label.csv', label_csv))
        images = load_images(os.path.join(data_dir, 'ferplus', folder, n) for n in names)
        for name, image in zip(names, images):
            group = groups.setdefault(image.shape, {'paths': [], 'images': []})
            group['paths'].append(f'ferplus/{folder}/{name}')
            group['images'].append(image)
    header = {'format': 'pfpack', 'version': 1, 'predictor': 'med-zigzag8',
              'files': [{'path': p, 'size': len(b), 'sha256': sha256(b)} for p, b in files],
              'groups': []}
    blobs = [b for _, b in files]
    for (h, w), group in sorted(groups.items()):
        pixels = np.stack(group['images'])
        header['groups'].append({'height': h, 'width': w, 'count': len(pixels), 'paths': group['paths'],
                                 'pixels_sha256': sha256(pixels.tobytes())})
        blobs.append(med_residuals(pixels).tobytes())
    head = json.dumps(header, separators=(',', ':')).encode()
    payload = struct.pack('<Q', len(head)) + head + b''.join(blobs)
    t1 = time.time()
    data = MAGIC + compress(payload)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out + '.tmp', 'wb') as f:
        f.write(data)
    os.replace(out + '.tmp', out)
    images = sum(g['count'] for g in header['groups'])
    summary = {'out': out, 'bytes': len(data), 'images': images, 'payload_bytes': len(payload),
               'files': [f['path'] for f in header['files']], 'seconds_read': round(t1 - t0, 1),
               'seconds_compress': round(time.time() - t1, 1)}
    print(json.dumps(summary))
    return summary


# --- unpack -----------------------------------------------------------------------------------
def read_pack(path: str):
    """(header, {path: bytes}, [(group header, [n,h,w] uint8 pixels)]), checksums verified."""
    with open(path, 'rb') as f:
        data = f.read()
    if not data.startswith(MAGIC):
        raise SystemExit(f'{path} is not a pfpack file')
    payload = decompress(data[len(MAGIC):])
    (head_len,) = struct.unpack_from('<Q', payload)
    header = json.loads(payload[8:8 + head_len])
    if header.get('predictor') != 'med-zigzag8':
        raise SystemExit(f'{path}: unknown predictor {header.get("predictor")!r}')
    pos = 8 + head_len
    files = {}
    for entry in header['files']:
        blob = payload[pos:pos + entry['size']]
        pos += entry['size']
        if sha256(blob) != entry['sha256']:
            raise SystemExit(f'{path}: {entry["path"]} does not match its checksum')
        files[entry['path']] = blob
    groups = []
    for g in header['groups']:
        n = g['count'] * g['height'] * g['width']
        residuals = np.frombuffer(payload, np.uint8, n, pos).reshape(g['count'], g['height'], g['width'])
        pos += n
        pixels = med_decode(residuals)
        if sha256(pixels.tobytes()) != g['pixels_sha256']:
            raise SystemExit(f'{path}: decoded pixels of the {g["height"]}x{g["width"]} group do not match their checksum')
        groups.append((g, pixels))
    if pos != len(payload):
        raise SystemExit(f'{path}: {len(payload) - pos} unexpected trailing bytes')
    return header, files, groups


_WRITE = {}


def _write_range(job):
    """Worker: write images [start, stop) of a group (arrays inherited through fork)."""
    dest, index, start, stop = job
    g, pixels = _WRITE['groups'][index]
    for i in range(start, stop):
        path = os.path.join(dest, g['paths'][i])
        Image.fromarray(pixels[i], 'L').save(path, compress_level=1)
    return stop - start


def unpack(path: str, dest: str, workers: int = 0) -> dict:
    import multiprocessing as mp
    t0 = time.time()
    header, files, groups = read_pack(path)
    t1 = time.time()
    folders = {os.path.dirname(p) for p in files} | {os.path.dirname(p) for g, _ in groups for p in g['paths']}
    for folder in sorted(folders):
        os.makedirs(os.path.join(dest, folder), exist_ok=True)
    for rel, blob in files.items():
        with open(os.path.join(dest, rel), 'wb') as f:
            f.write(blob)
    jobs = []
    for index, (g, _) in enumerate(groups):
        step = 500
        jobs += [(dest, index, s, min(g['count'], s + step)) for s in range(0, g['count'], step)]
    _WRITE['groups'] = groups
    if not workers:
        try:
            workers = len(os.sched_getaffinity(0))
        except AttributeError:
            workers = os.cpu_count() or 1
        workers = min(workers, 16)
    if workers > 1 and len(jobs) > 1:
        with mp.get_context('fork').Pool(min(workers, len(jobs))) as pool:
            written = sum(pool.imap_unordered(_write_range, jobs))
    else:
        written = sum(map(_write_range, jobs))
    _WRITE.clear()
    summary = {'dest': dest, 'images': written, 'files': sorted(files), 'seconds_decode': round(t1 - t0, 1),
               'seconds_write': round(time.time() - t1, 1)}
    print(json.dumps(summary))
    return summary


def verify(path: str, data_dir: str) -> dict:
    """Decode in memory and compare every image and file with the source tree."""
    header, files, groups = read_pack(path)
    for rel, blob in files.items():
        with open(os.path.join(data_dir, rel), 'rb') as f:
            source = f.read()
        if blob != source and not (rel.endswith('label.csv') and source.startswith(blob)):
            raise SystemExit(f'{rel} differs from {data_dir}')
    count = 0
    for g, pixels in groups:
        originals = load_images(os.path.join(data_dir, p) for p in g['paths'])
        for p, a, b in zip(g['paths'], originals, pixels):
            if not np.array_equal(a, b):
                raise SystemExit(f'{p}: pixels differ')
        count += len(originals)
    summary = {'verified_images': count, 'files': sorted(files)}
    print(json.dumps(summary))
    return summary


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data-dir', help='folder holding ferplus/ (default: $PF_DATA_DIR or ../shared/data)')
    p.add_argument('--pack', default=DEFAULT_PACK, help='the pack file (written, or read with --unpack/--verify)')
    p.add_argument('--splits', default='train,valid', help='FERPlus splits to pack (default: train,valid)')
    p.add_argument('--limit', type=int, help='only the first N images of each split (tests)')
    p.add_argument('--unpack', metavar='DEST', help='recreate DEST/ferplus/... from the pack')
    p.add_argument('--workers', type=int, default=0, help='processes writing PNGs (default: the CPUs, at most 16)')
    p.add_argument('--verify', action='store_true', help='decode in memory and compare with --data-dir')
    args = p.parse_args(argv)
    if args.unpack:
        return unpack(args.pack, args.unpack, args.workers)
    data_dir = args.data_dir or default_data_dir()
    if args.verify:
        return verify(args.pack, data_dir)
    splits = [s.strip() for s in args.splits.split(',') if s.strip()]
    for s in splits:
        if s not in SPLIT_FOLDERS:
            raise SystemExit(f'unknown split {s!r}')
    return pack(data_dir, args.pack, splits, args.limit)


if __name__ == '__main__':
    main(sys.argv[1:])
