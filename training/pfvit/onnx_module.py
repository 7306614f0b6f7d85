"""Run a small third-party ONNX graph as a frozen, differentiable PyTorch module.

The face networks in ../shared/models exist only as ONNX (converted from Keras, MXNet and tfjs
weights), and a training loss needs gradients through them. There is no onnx2torch here, so this
interprets the graph node by node with torch operations: enough of the ONNX operator set for those
conversions (convolutions, batch norm, pooling, element-wise maths and the shape arithmetic that
tf2onnx emits for "same" padding). Weights become buffers and never train. An operator outside the
set is refused when the module is built, naming it, rather than failing mid-training.
"""
from typing import Dict, List

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper

DTYPES = {1: torch.float32, 6: torch.int32, 7: torch.int64, 9: torch.bool, 10: torch.float16, 11: torch.float64}


def _attrs(node) -> dict:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _ints(t: torch.Tensor) -> List[int]:
    return [int(v) for v in t.flatten().tolist()]


def _conv(x, w, b, a):
    pads = list(a.get('pads', [0, 0, 0, 0]))
    half = len(pads) // 2
    if pads[:half] == pads[half:]:
        padding = pads[:half]
    else:  # asymmetric: F.pad wants (left, right, top, bottom)
        x = F.pad(x, (pads[1], pads[3], pads[0], pads[2]))
        padding = [0, 0]
    return F.conv2d(x, w.to(x.dtype), None if b is None else b.to(x.dtype), stride=a.get('strides', [1, 1]),
                    padding=padding, dilation=a.get('dilations', [1, 1]), groups=a.get('group', 1))


def _max_pool(x, a):
    pads = list(a.get('pads', [0, 0, 0, 0]))
    if any(pads):
        x = F.pad(x, (pads[1], pads[3], pads[0], pads[2]), value=float('-inf'))
    return F.max_pool2d(x, a['kernel_shape'], a.get('strides', a['kernel_shape']), ceil_mode=bool(a.get('ceil_mode', 0)))


def _pad(x, pads, value, a):
    pads = _ints(pads)
    n = len(pads) // 2
    torch_pads = []
    for axis in reversed(range(n)):  # F.pad: last axis first, (begin, end) each
        torch_pads += [pads[axis], pads[axis + n]]
    mode = a.get('mode', b'constant')
    mode = mode.decode() if isinstance(mode, bytes) else mode
    if mode == 'constant':
        return F.pad(x, torch_pads, value=0.0 if value is None else float(value.flatten()[0]))
    return F.pad(x, torch_pads[:4], mode={'reflect': 'reflect', 'edge': 'replicate'}[mode])


def _reshape(x, shape):
    dims = _ints(shape)
    dims = [x.shape[i] if d == 0 else d for i, d in enumerate(dims)]
    return x.reshape(dims)


def _slice(x, starts, ends, axes=None, steps=None):
    axes = _ints(axes) if axes is not None else list(range(len(_ints(starts))))
    steps = _ints(steps) if steps is not None else [1] * len(axes)
    for axis, start, end, step in zip(axes, _ints(starts), _ints(ends), steps):
        # ONNX's clamping rules, then the explicit indices (torch slices cannot step backwards).
        size = x.shape[axis if axis >= 0 else axis + x.dim()]
        start, end = start + size if start < 0 else start, end + size if end < 0 else end
        if step > 0:
            start, end = min(max(start, 0), size), min(max(end, 0), size)
        else:
            start, end = min(max(start, 0), size - 1), min(max(end, -1), size - 1)
        x = torch.index_select(x, axis, torch.arange(start, end, step, dtype=torch.long))
    return x


OPS = {
    'Add': lambda i, a: i[0] + i[1],
    'Sub': lambda i, a: i[0] - i[1],
    'Mul': lambda i, a: i[0] * i[1],
    'Div': lambda i, a: i[0] / i[1],
    'Max': lambda i, a: torch.maximum(i[0], i[1].to(i[0].dtype)),
    'Min': lambda i, a: torch.minimum(i[0], i[1].to(i[0].dtype)),
    'Relu': lambda i, a: F.relu(i[0]),
    'Sigmoid': lambda i, a: torch.sigmoid(i[0]),
    'Conv': lambda i, a: _conv(i[0], i[1], i[2] if len(i) > 2 else None, a),
    'BatchNormalization': lambda i, a: F.batch_norm(i[0], i[3], i[4], i[1], i[2], False, 0.0, a.get('epsilon', 1e-5)),
    'MaxPool': lambda i, a: _max_pool(i[0], a),
    'GlobalAveragePool': lambda i, a: i[0].mean(dim=(2, 3), keepdim=True),
    'ReduceMean': lambda i, a: i[0].mean(dim=a['axes'], keepdim=bool(a.get('keepdims', 1))),
    'Softmax': lambda i, a: torch.softmax(i[0].float(), dim=a.get('axis', -1)),
    'MatMul': lambda i, a: i[0] @ i[1].to(i[0].dtype),
    'Reshape': lambda i, a: _reshape(i[0], i[1]),
    'Transpose': lambda i, a: i[0].permute(*a['perm']),
    'Concat': lambda i, a: torch.cat(i, dim=a['axis']),
    'Cast': lambda i, a: i[0].to(DTYPES[a['to']]),
    'Slice': lambda i, a: _slice(*i),
    'Pad': lambda i, a: _pad(i[0], i[1], i[2] if len(i) > 2 else None, a),
    'ConstantOfShape': lambda i, a: torch.full(_ints(i[0]), float(numpy_helper.to_array(a['value'])[0])
                                               if 'value' in a else 0.0),
    'Shape': lambda i, a: torch.tensor(list(i[0].shape), dtype=torch.int64),
    'Gather': lambda i, a: torch.index_select(i[0], a.get('axis', 0), i[1].flatten()).reshape(
        list(i[0].shape[:a.get('axis', 0)]) + list(i[1].shape) + list(i[0].shape[a.get('axis', 0) + 1:])),
    'Unsqueeze': lambda i, a: _unsqueeze(i[0], _ints(i[1]) if len(i) > 1 else a['axes']),
    'Flatten': lambda i, a: i[0].flatten(a.get('axis', 1)),
}


def _unsqueeze(x, axes):
    for axis in sorted(a if a >= 0 else a + x.dim() + 1 for a in axes):
        x = x.unsqueeze(axis)
    return x


class OnnxModule(nn.Module):
    """A frozen ONNX graph with one input and one output, as a module (gradients reach the input)."""

    def __init__(self, path: str):
        super().__init__()
        model = onnx.load(path)
        graph = model.graph
        unknown = sorted({n.op_type for n in graph.node if n.op_type not in OPS and n.op_type != 'Constant'})
        if unknown:
            raise SystemExit(f'{path}: operators this interpreter does not know: {", ".join(unknown)}')
        self._constants: Dict[str, str] = {}
        for i, init in enumerate(graph.initializer):
            self._add_constant(f'init{i}', init.name, numpy_helper.to_array(init))
        self.nodes = []
        for i, node in enumerate(graph.node):
            if node.op_type == 'Constant':
                self._add_constant(f'const{i}', node.output[0], numpy_helper.to_array(_attrs(node)['value']))
            elif all(not n or n in self._constants for n in node.input):
                # Reads constants only (tf2onnx's arithmetic that builds the "same" padding vectors):
                # computed once here rather than on every call.
                inputs = [getattr(self, self._constants[n]) if n else None for n in node.input]
                value = OPS[node.op_type](inputs, _attrs(node))
                self._add_constant(f'folded{i}', node.output[0], value.numpy())
            else:
                self.nodes.append((node.op_type, list(node.input), list(node.output), _attrs(node)))
        inputs = [v.name for v in graph.input if v.name not in self._constants]
        if len(inputs) != 1 or len(graph.output) != 1:
            raise SystemExit(f'{path}: expected one input and one output, found {inputs} and '
                             f'{[o.name for o in graph.output]}')
        self.input_name, self.output_name = inputs[0], graph.output[0].name
        self.requires_grad_(False)
        self.eval()

    def _add_constant(self, attr: str, name: str, array: np.ndarray) -> None:
        self.register_buffer(attr, torch.from_numpy(np.array(array)), persistent=False)
        self._constants[name] = attr

    def train(self, mode: bool = True):
        return super().train(False)  # always frozen: batch norm keeps its running statistics

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        env = {self.input_name: x}
        for name, attr in self._constants.items():
            env[name] = getattr(self, attr)
        for op, inputs, outputs, attrs in self.nodes:
            env[outputs[0]] = OPS[op]([env[n] if n else None for n in inputs], attrs)
        return env[self.output_name]
