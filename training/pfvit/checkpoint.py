"""Loading MAE-format checkpoints into E, G and D, and reading/writing our own checkpoints.

An MAE-format checkpoint is what facebookresearch/mae saves (and what train_mae.py saves): a dict
with the weights under `model` (bare state dicts are accepted too), keys possibly prefixed with
`module.` by DistributedDataParallel, and a Conv2d patch embedding [D, 3, p, p]. Each `load_*`
function returns a LoadReport saying what was loaded, missing, unexpected or skipped, so a
researcher bringing their own weights sees exactly what matched.
"""
import inspect
import os
from dataclasses import dataclass, field

import torch
import torch.nn as nn

# Position embeddings are fixed sin-cos tables: when a checkpoint was trained at another input size
# we keep our own table instead of failing.
FIXED_KEYS = ('pos_embed', 'decoder_pos_embed')


@dataclass
class LoadReport:
    target: str
    loaded: list = field(default_factory=list)
    missing: list = field(default_factory=list)      # our parameters the checkpoint did not provide
    unexpected: list = field(default_factory=list)   # checkpoint keys meant for this part we could not use
    skipped: list = field(default_factory=list)      # (key, reason), e.g. a fixed table of another size

    def summary(self) -> str:
        lines = [f'{self.target}: {len(self.loaded)} tensors loaded, {len(self.missing)} missing, '
                 f'{len(self.unexpected)} unexpected, {len(self.skipped)} skipped']
        for title, items in (('missing', self.missing), ('unexpected', self.unexpected),
                             ('skipped', [f'{k} ({why})' for k, why in self.skipped])):
            if items:
                shown = ', '.join(items[:12]) + (f', ... ({len(items) - 12} more)' if len(items) > 12 else '')
                lines.append(f'  {title}: {shown}')
        return '\n'.join(lines)


def read_file(path: str) -> dict:
    """torch.load on CPU. Our checkpoints hold RNG states and config dicts, and MAE's hold an
    argparse Namespace, so PyTorch >= 2.6's weights_only default must be turned off: only load
    checkpoints you trust."""
    kwargs = {'map_location': 'cpu'}
    if 'weights_only' in inspect.signature(torch.load).parameters:
        kwargs['weights_only'] = False
    return torch.load(path, **kwargs)


def save_file(obj: dict, path: str) -> None:
    """Write atomically: a crash or SIGKILL mid-write never leaves a truncated checkpoint."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + '.tmp'
    torch.save(obj, tmp)
    os.replace(tmp, path)


def mae_state_dict(checkpoint) -> dict:
    """Normalise an MAE-format checkpoint (or a path to one) to a plain state dict with our
    conventions: no `module.` prefix, linear patch-embedding weights."""
    if isinstance(checkpoint, str):
        checkpoint = read_file(checkpoint)
    state = checkpoint
    for key in ('model', 'state_dict'):
        if isinstance(state, dict) and key in state and isinstance(state[key], dict):
            state = state[key]
            break
    out = {}
    for key, value in state.items():
        if key.startswith('module.'):
            key = key[len('module.'):]
        if key.endswith('patch_embed.proj.weight') and value.dim() == 4:
            value = value.reshape(value.shape[0], -1)  # Conv2d [D,C,p,p] -> Linear [D, C*p*p]
        out[key] = value
    return out


def load_part(module: nn.Module, state: dict, target: str, rename=None, keep=None) -> LoadReport:
    """Load the checkpoint keys selected by `keep` (after `rename`) into `module`, non-strictly."""
    report = LoadReport(target)
    own = module.state_dict()
    selected = {}
    for key, value in state.items():
        if keep is not None and not keep(key):
            continue
        name = rename(key) if rename else key
        if name not in own:
            report.unexpected.append(key)
        elif own[name].shape != value.shape:
            if name.split('.')[-1] in FIXED_KEYS:
                report.skipped.append((key, f'fixed sin-cos table of shape {tuple(value.shape)}, recomputed'))
            else:
                report.skipped.append((key, f'shape {tuple(value.shape)} != ours {tuple(own[name].shape)}'))
        else:
            selected[name] = value
    module.load_state_dict(selected, strict=False)
    report.loaded = sorted(selected)
    report.missing = [k for k in own if k not in selected and k.split('.')[-1] not in FIXED_KEYS]
    return report


def _is_decoder_key(key: str) -> bool:
    return key.startswith('decoder_') or key == 'mask_token'


def load_encoder(encoder: nn.Module, state: dict, target: str = 'encoder') -> LoadReport:
    """E from an MAE checkpoint's encoder keys (or a ViT-baseline checkpoint; its `head` is reported
    unexpected). Works for any ViT with our names, including MAE itself."""
    return load_part(encoder, state, target, keep=lambda k: not _is_decoder_key(k) and not k.startswith('head.'))


def load_generator(generator: nn.Module, state: dict) -> LoadReport:
    """G from MAE's decoder keys; `cross_fusion.*` is new in PF-ViT and always starts fresh."""
    return load_part(generator, state, 'generator', keep=_is_decoder_key)


def _decoder_to_vit_name(key: str) -> str:
    return key.replace('decoder_blocks.', 'blocks.', 1).replace('decoder_norm.', 'norm.', 1)


def load_discriminator(discriminator: nn.Module, state: dict) -> LoadReport:
    """D from MAE's decoder blocks and norm (renamed to a ViT's `blocks.N` / `norm`). D's own
    patch embedding, [CLS] and K+1 head have no MAE counterpart and start fresh."""
    return load_part(discriminator, state, 'discriminator', rename=_decoder_to_vit_name,
                     keep=lambda k: k.startswith(('decoder_blocks.', 'decoder_norm.')))
