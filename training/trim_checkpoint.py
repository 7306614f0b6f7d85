"""Small, portable copies of training checkpoints: what export and evaluation need, nothing else.

    python3 training/trim_checkpoint.py trim RUN/best.pt OUT/pfvit.pt         # on the training machine
    /usr/bin/python3 training/trim_checkpoint.py restore OUT/pfvit.pt --out training/runs/gpu/pfvit/best.pt

`trim` keeps the model weights (fp32) and the small metadata that evaluate.py, export_onnx.py and
model.json read (kind, config, classes, neutral class, progress, best validation, args, data), and
drops the optimiser states, the scheduler, the RNG states (numpy 2 pickles them in a form numpy 1.x
cannot read), PF-ViT's discriminator D and frozen feature extractor (never run by export or
evaluation). A file larger than --max-bytes is split into NAME.part0, NAME.part1, ...

`restore` joins the parts (if any), loads the file with this machine's PyTorch (with a fallback
reader of the zip format for a file a newer PyTorch wrote, should torch.load refuse it), checks the
weights against the checksum `trim` stored, and saves it again natively. evaluate.py and
export_onnx.py accept both the trimmed file and the restored one.
"""
import argparse
import collections
import glob
import hashlib
import json
import os
import pickle
import sys
import zipfile

import torch

TRAINING_DIR = os.path.dirname(os.path.abspath(__file__))
if TRAINING_DIR not in sys.path:
    sys.path.insert(0, TRAINING_DIR)

from pfvit.checkpoint import read_file  # noqa: E402
from pfvit.trained import OPTIONAL_WEIGHT_PREFIXES  # noqa: E402

# 16 MiB is the most one returned file may hold; keep a margin.
MAX_BYTES = 16 * 1024 * 1024 - 64 * 1024
KEEP = ('kind', 'config', 'classes', 'neutral', 'data', 'ortho', 'mae', 'progress', 'best', 'args',
        'batch_size', 'dataset_size')


def plain(obj):
    """Metadata as JSON-able builtins (numpy scalars become Python numbers)."""
    def default(o):
        if hasattr(o, 'item'):
            return o.item()
        return str(o)
    return json.loads(json.dumps(obj, default=default))


def weights_digest(state: dict) -> str:
    h = hashlib.sha256()
    for name in sorted(state):
        t = state[name].contiguous()
        h.update(f'{name}|{t.dtype}|{tuple(t.shape)}|'.encode())
        h.update(t.numpy().tobytes())
    return h.hexdigest()


def trim(src: str, dest: str, max_bytes: int = MAX_BYTES) -> dict:
    ckpt = read_file(src)
    kind = ckpt.get('kind')
    # Dropped: what loading may do without (load_weights), so a trimmed file still loads strictly.
    drop = OPTIONAL_WEIGHT_PREFIXES.get(kind, ())
    model = {}
    for name, value in ckpt['model'].items():
        if name.startswith(drop):
            continue
        if value.dtype != torch.float32:
            raise SystemExit(f'{src}: {name} is {value.dtype}, expected fp32 weights')
        model[name] = value.detach().cpu().contiguous().clone()
    out = {k: plain(ckpt[k]) for k in KEEP if k in ckpt}
    out['model'] = model
    out['trimmed'] = {'from': os.path.abspath(src), 'torch': str(torch.__version__),
                      'dropped_keys': sorted(k for k in ckpt if k not in KEEP and k != 'model'),
                      'dropped_model_prefixes': list(drop), 'weights_sha256': weights_digest(model)}
    os.makedirs(os.path.dirname(os.path.abspath(dest)), exist_ok=True)
    for old in glob.glob(glob.escape(dest) + '.part*'):
        os.remove(old)
    torch.save(out, dest, _use_new_zipfile_serialization=True)
    size = os.path.getsize(dest)
    with open(dest, 'rb') as f:
        data = f.read()
    report = {'file': dest, 'kind': kind, 'bytes': size, 'sha256': hashlib.sha256(data).hexdigest(),
              'tensors': len(model), 'parameters': sum(t.numel() for t in model.values()),
              'progress': out.get('progress'), 'best': out.get('best'), 'files': [os.path.basename(dest)]}
    if size > max_bytes:
        os.remove(dest)
        parts = []
        for i, start in enumerate(range(0, size, max_bytes)):
            part = f'{dest}.part{i}'
            with open(part, 'wb') as f:
                f.write(data[start:start + max_bytes])
            parts.append(os.path.basename(part))
        report['files'] = parts
    print(json.dumps(report))
    return report


def join_parts(path: str) -> bytes:
    """The bytes of `path`, or of path.part0, path.part1, ... joined in order."""
    if os.path.isfile(path):
        with open(path, 'rb') as f:
            return f.read()
    parts = sorted(glob.glob(glob.escape(path) + '.part*'), key=lambda p: int(p.rsplit('.part', 1)[1]))
    if not parts:
        raise SystemExit(f'neither {path} nor {path}.part0, ... exist')
    expected = [f'{path}.part{i}' for i in range(len(parts))]
    if parts != expected:
        raise SystemExit(f'parts missing: found {parts}, expected {expected}')
    data = b''
    for part in parts:
        with open(part, 'rb') as f:
            data += f.read()
    return data


_STORAGE_DTYPES = {
    'FloatStorage': torch.float32, 'DoubleStorage': torch.float64, 'HalfStorage': torch.float16,
    'BFloat16Storage': torch.bfloat16, 'LongStorage': torch.int64, 'IntStorage': torch.int32,
    'ShortStorage': torch.int16, 'CharStorage': torch.int8, 'ByteStorage': torch.uint8,
    'BoolStorage': torch.bool,
}


def load_zip_by_hand(path: str) -> dict:
    """Read torch.save's zip format without torch.load: data.pkl with persistent ids
    ('storage', <torch.XStorage>, key, location, numel) and raw little-endian storages under data/.
    Only tensors and builtins are accepted (what `trim` writes)."""
    zf = zipfile.ZipFile(path)
    pkl = [n for n in zf.namelist() if n.endswith('/data.pkl') or n == 'data.pkl']
    if len(pkl) != 1:
        raise SystemExit(f'{path}: not a torch zip checkpoint')
    prefix = pkl[0][:-len('data.pkl')]

    class StorageType:
        def __init__(self, name):
            self.dtype = _STORAGE_DTYPES[name]

    def rebuild_tensor(storage, offset, size, stride, requires_grad=False, hooks=None, metadata=None):
        return torch.as_strided(storage, size, stride, offset).clone()

    class Unpickler(pickle.Unpickler):
        def find_class(self, module, name):
            if module == 'torch._utils' and name == '_rebuild_tensor_v2':
                return rebuild_tensor
            if module == 'torch' and name in _STORAGE_DTYPES:
                return StorageType(name)
            if module == 'collections' and name == 'OrderedDict':
                return collections.OrderedDict
            raise pickle.UnpicklingError(f'unexpected {module}.{name} in a trimmed checkpoint')

        def persistent_load(self, pid):
            kind, storage_type, key, _location, numel = pid
            assert kind == 'storage', pid
            raw = bytearray(zf.read(f'{prefix}data/{key}'))
            return torch.frombuffer(raw, dtype=storage_type.dtype)[:numel] if raw else \
                torch.empty(0, dtype=storage_type.dtype)

    with zf.open(pkl[0]) as f:
        return Unpickler(f).load()


def restore(path: str, out: str, by_hand: bool = False) -> dict:
    data = join_parts(path)
    tmp = out + '.joined'
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(tmp, 'wb') as f:
        f.write(data)
    how = 'torch.load'
    try:
        if by_hand:
            raise RuntimeError('asked for the fallback reader')
        ckpt = read_file(tmp)
    except Exception as e:  # noqa: BLE001 - a newer PyTorch's file: read the zip by hand
        print(f'torch.load failed ({type(e).__name__}: {e}); reading the zip by hand', file=sys.stderr)
        ckpt, how = load_zip_by_hand(tmp), 'by hand'
    os.remove(tmp)
    model = {k: v.contiguous() for k, v in ckpt['model'].items()}
    expected = ckpt.get('trimmed', {}).get('weights_sha256')
    digest = weights_digest(model)
    if expected and digest != expected:
        raise SystemExit(f'{path}: weights do not match the checksum written when trimming')
    ckpt['model'] = model
    torch.save(ckpt, out)
    report = {'out': out, 'kind': ckpt.get('kind'), 'loaded_with': how, 'bytes_in': len(data),
              'weights_sha256_ok': bool(expected), 'tensors': len(model),
              'progress': ckpt.get('progress'), 'best': ckpt.get('best'), 'trained_with': ckpt.get('trimmed', {}).get('torch')}
    print(json.dumps(report))
    return report


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='command', required=True)
    t = sub.add_parser('trim', help='checkpoint -> trimmed copy (split if larger than --max-bytes)')
    t.add_argument('src')
    t.add_argument('dest')
    t.add_argument('--max-bytes', type=int, default=MAX_BYTES)
    r = sub.add_parser('restore', help='join parts, load, verify and save with this PyTorch')
    r.add_argument('path', help='the trimmed file (or its name without .partN)')
    r.add_argument('--out', required=True)
    r.add_argument('--by-hand', action='store_true', help='use the fallback zip reader (tests)')
    args = p.parse_args(argv)
    if args.command == 'trim':
        return trim(args.src, args.dest, args.max_bytes)
    return restore(args.path, args.out, args.by_hand)


if __name__ == '__main__':
    main(sys.argv[1:])
