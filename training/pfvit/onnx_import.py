"""Rebuild a PF-ViT's PyTorch weights from a shipped model folder (classify.onnx + generate.onnx).

Training checkpoints live outside the repository and may be gone; the exported graphs hold every
weight that classifying and generating use, so a warm start never has to begin from nothing.

torch's exporter keeps most parameter names (`model.encoder.blocks.0.norm1.weight`), but a Linear's
weight becomes an anonymous, transposed MatMul constant (`onnx::MatMul_849`, shape [in, out]), and
the encoder's [CLS] token is folded with its position row into one constant (`onnx::Expand_846`).
A Linear is recognised by its graph shape instead of its name: MatMul(x, W) feeding Add(·, bias),
where the bias keeps its parameter name. D (the discriminator) is not in either graph; it is
optional for a PF-ViT checkpoint (trained.OPTIONAL_WEIGHT_PREFIXES).
"""
import json
import os
from typing import Dict, Tuple

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from .pfvit import PFViT
from .presets import ModelConfig

PREFIX = 'model.'


def _consumers(graph) -> Dict[str, list]:
    out: Dict[str, list] = {}
    for node in graph.node:
        for name in node.input:
            out.setdefault(name, []).append(node)
    return out


def graph_weights(path: str) -> Dict[str, np.ndarray]:
    """Parameter name (without the export wrapper's `model.` prefix) -> array, for one graph.
    Linear weights come back in PyTorch's [out, in] layout."""
    model = onnx.load(path)
    graph = model.graph
    init = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    consumers = _consumers(graph)
    weights: Dict[str, np.ndarray] = {}
    for name, value in init.items():
        if name.startswith(PREFIX):
            weights[name[len(PREFIX):]] = value
    for node in graph.node:
        if node.op_type != 'MatMul' or node.input[1] not in init or node.input[1].startswith(PREFIX):
            continue
        bias = next((i for n in consumers.get(node.output[0], []) if n.op_type == 'Add'
                     for i in n.input if i.startswith(PREFIX) and i.endswith('.bias')), None)
        if bias is None:
            raise ValueError(f'{os.path.basename(path)}: MatMul {node.name} has no named bias after it; '
                             'this graph was not exported by training/export_onnx.py')
        weights[bias[len(PREFIX):-len('.bias')] + '.weight'] = init[node.input[1]].T.copy()
    weights.update(_group_norm_weights(graph, init, consumers))
    weights.update(_face_stem_alphas(graph, init))
    # The encoder's [CLS] constant is cls_token + pos_embed[:, :1] ([1, 1, D], fed to an Expand).
    cls = [init[n.input[0]] for n in graph.node if n.op_type == 'Expand' and n.input[0] in init
           and init[n.input[0]].shape[:2] == (1, 1)]
    if len(cls) == 1:
        weights['encoder.cls_token+pos'] = cls[0]
    return weights


def _group_norm_weights(graph, init, consumers) -> Dict[str, np.ndarray]:
    """A composing G's GroupNorms (composition.py). The exporter writes each as InstanceNormalization
    -> Reshape -> Mul(weight) -> Add(bias), the weight and bias as anonymous [C, 1, 1] constants; the
    module comes from the Mul's scope name (`/composer/up/up.0/up.0.2/Mul`: the last scope is the
    path inside the composer)."""
    out: Dict[str, np.ndarray] = {}
    for node in graph.node:
        if node.op_type != 'InstanceNormalization':
            continue
        reshape = consumers.get(node.output[0], [None])[0]
        mul = consumers.get(reshape.output[0], [None])[0] if reshape is not None else None
        add = consumers.get(mul.output[0], [None])[0] if mul is not None else None
        scopes = mul.name.strip('/').split('/') if mul is not None else []
        if add is None or mul.op_type != 'Mul' or add.op_type != 'Add' or 'composer' not in scopes:
            raise ValueError(f'InstanceNormalization {node.name} is not a composing generator\'s GroupNorm')
        module = 'generator.composer.' + scopes[-2]
        weight = next(i for i in mul.input if i in init)
        bias = next(i for i in add.input if i in init)
        out[module + '.weight'] = init[weight].reshape(-1)
        out[module + '.bias'] = init[bias].reshape(-1)
    return out


def _face_stem_alphas(graph, init) -> Dict[str, np.ndarray]:
    """E's face stem (face_stem.py): each activation's alpha is an anonymous [1, C, 1, 1] constant read by
    a Mul whose scope names the module (`/face_stem/stage1/act1/Mul` -> encoder.face_stem.stage1.act1)."""
    out: Dict[str, np.ndarray] = {}
    for node in graph.node:
        scopes = node.name.strip('/').split('/')
        if node.op_type != 'Mul' or 'face_stem' not in scopes or node.input[0] not in init:
            continue
        value = init[node.input[0]]
        if value.ndim == 4 and value.shape[0] == 1 and value.shape[2:] == (1, 1):
            out['encoder.' + '.'.join(scopes[scopes.index('face_stem'):-1]) + '.alpha'] = value
    return out


def read_model_folder(folder: str) -> Tuple[ModelConfig, dict]:
    """(config, model.json) of a shipped PF-ViT folder; refuses other architectures."""
    with open(os.path.join(folder, 'model.json')) as f:
        card = json.load(f)
    arch = card.get('architecture', {})
    if arch.get('kind') != 'pf-vit' or not card.get('files', {}).get('generate'):
        raise SystemExit(f'{folder}: only PF-ViT folders with generate.onnx can be imported '
                         f'(architecture.kind is {arch.get("kind")!r})')
    fields = {k: arch[k] for k in ModelConfig.__dataclass_fields__ if k in arch}
    return ModelConfig(**fields), card


def import_model_folder(folder: str) -> dict:
    """A checkpoint dict in the layout trained.load_trained reads (kind, config, model, classes,
    neutral), with every weight of E, S, C and G taken from the folder's two graphs."""
    cfg, card = read_model_folder(folder)
    model = PFViT(cfg)
    state = model.state_dict()
    found = graph_weights(os.path.join(folder, card['files']['classify']))
    for name, value in graph_weights(os.path.join(folder, card['files']['generate'])).items():
        if name in found and not np.allclose(found[name], value, atol=1e-6):
            raise ValueError(f'{name} differs between classify.onnx and generate.onnx')
        found.setdefault(name, value)
    cls = found.pop('encoder.cls_token+pos', None)
    if cls is not None:
        found['encoder.cls_token'] = cls - state['encoder.pos_embed'][:, :1].numpy()
    loaded, missing = {}, []
    for name, tensor in state.items():
        if name.startswith('discriminator.'):
            continue
        if name not in found:
            missing.append(name)
            continue
        value = torch.from_numpy(np.array(found[name], copy=True)).to(tensor.dtype)
        if value.shape != tensor.shape:
            raise ValueError(f'{name}: graph has {tuple(value.shape)}, model expects {tuple(tensor.shape)}')
        loaded[name] = value
    # Fixed sin-cos tables are recomputed by the model, identical to what was exported.
    missing = [m for m in missing if not m.endswith('pos_embed')]
    if missing:
        raise ValueError(f'{folder}: weights not found in the graphs: {missing[:8]} (graphs not made by '
                         'training/export_onnx.py, or an untrained model whose equal tensors the exporter merged)')
    for name in ('encoder.pos_embed', 'generator.decoder_pos_embed'):
        loaded.setdefault(name, state[name])
    classes = card['classes']
    neutral_name = card['architecture'].get('neutral_class', 'neutral')
    return {'kind': 'pfvit', 'config': cfg.to_dict(), 'model': loaded, 'classes': classes,
            'neutral': classes.index(neutral_name), 'data': card.get('training', {}).get('data'),
            # How the graphs classify at test time (flip averaging) is part of what they compute.
            'test_time': card.get('training', {}).get('test_time') or {},
            # What made the weights: the source model's own record, carried into every later card.
            'imported_from': {'model_id': card.get('id'), 'folder': os.path.abspath(folder),
                              'training': card.get('training')}}
