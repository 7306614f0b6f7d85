"""Int8 weight-quantised copy of an exported model folder (classify.onnx, generate.onnx, model.json).

    /usr/bin/python3 training/quantize_onnx.py --model resources/models/pfvit-ferplus-small-v3

writes resources/models/<id>-int8/. Every MatMul whose right-hand side is a weight (an initializer
of at least --min-size values) becomes dynamic int8 quantisation, the scheme of onnxruntime's
quantize_dynamic: the activations are quantised per call (DynamicQuantizeLinear, uint8), the weights
once, per output column (symmetric int8, zero point 0); MatMulInteger multiplies in integers and one
Mul per scale brings the result back to float. Everything else stays fp32. Weights shrink 4x and
onnxruntime's integer kernels run the matrix products faster on CPUs with VNNI/AMX.

Written with the onnx package alone (onnxruntime's Python quantiser is not installed here). Measure
what it costs: `npm run eval -- --model <out>` beside the fp32 model's figures.
"""
import argparse
import json
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', required=True, help='model folder (model.json + ONNX graphs)')
    p.add_argument('--out', help='output folder (default: <model>-int8 beside it)')
    p.add_argument('--graphs', default='classify,generate', help='which graphs to quantise (others are copied)')
    p.add_argument('--min-size', type=int, default=1024, help='leave weights with fewer values in fp32')
    p.add_argument('--metrics', help='JSON of this int8 model\'s own evaluation (pokerface eval --out) to record in model.json')
    p.add_argument('--reduce-range', action='store_true',
                   help='7-bit weights: avoids saturation in u8s8 kernels on CPUs without VNNI')
    return p.parse_args(argv)


def quantise_weight(w: np.ndarray, reduce_range: bool):
    """Symmetric per-column int8: w ~= q * scale[col]. Returns (q int8, scale float32 [cols])."""
    limit = 63 if reduce_range else 127
    scale = np.abs(w).max(axis=0) / limit
    scale = np.where(scale == 0, 1.0, scale).astype(np.float32)
    q = np.clip(np.round(w / scale), -limit, limit).astype(np.int8)
    return q, scale


def quantise_graph(model: onnx.ModelProto, min_size: int, reduce_range: bool) -> int:
    """Rewrites weight MatMuls in place; returns how many were rewritten."""
    graph = model.graph
    weights = {init.name: init for init in graph.initializer}
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers[name] = consumers.get(name, 0) + 1
    new_nodes, dropped, added, count = [], set(), [], 0
    for node in graph.node:
        w_name = node.input[1] if node.op_type == 'MatMul' else None
        init = weights.get(w_name) if w_name else None
        if init is None or len(init.dims) != 2 or int(np.prod(init.dims)) < min_size:
            new_nodes.append(node)
            continue
        w = numpy_helper.to_array(init).astype(np.float32)
        q, scale = quantise_weight(w, reduce_range)
        base = f'{node.name or w_name}_int8'
        added += [numpy_helper.from_array(q, f'{base}_w'),
                  numpy_helper.from_array(np.zeros(q.shape[1], np.int8), f'{base}_w_zero'),
                  numpy_helper.from_array(scale, f'{base}_w_scale')]
        a = node.input[0]
        new_nodes += [
            helper.make_node('DynamicQuantizeLinear', [a], [f'{base}_a', f'{base}_a_scale', f'{base}_a_zero'],
                             name=f'{base}_quantise'),
            helper.make_node('MatMulInteger', [f'{base}_a', f'{base}_w', f'{base}_a_zero', f'{base}_w_zero'],
                             [f'{base}_int32'], name=f'{base}_matmul'),
            helper.make_node('Cast', [f'{base}_int32'], [f'{base}_float'], to=onnx.TensorProto.FLOAT,
                             name=f'{base}_cast'),
            # scale = a_scale · w_scale first, then one Mul: the pattern onnxruntime's
            # DynamicQuantizeMatMul fusion looks for (as quantize_dynamic writes it).
            helper.make_node('Mul', [f'{base}_a_scale', f'{base}_w_scale'], [f'{base}_scale'], name=f'{base}_scales'),
            helper.make_node('Mul', [f'{base}_float', f'{base}_scale'], list(node.output), name=f'{base}_rescale'),
        ]
        consumers[w_name] -= 1
        if consumers[w_name] == 0:
            dropped.add(w_name)
        count += 1
    del graph.node[:]
    graph.node.extend(new_nodes)
    kept = [init for init in graph.initializer if init.name not in dropped]
    del graph.initializer[:]
    graph.initializer.extend(kept + added)
    return count


def main(argv=None) -> str:
    args = parse_args(argv)
    src = os.path.abspath(args.model)
    with open(os.path.join(src, 'model.json')) as f:
        manifest = json.load(f)
    out = os.path.abspath(args.out or f'{src.rstrip(os.sep)}-int8')
    os.makedirs(out, exist_ok=True)
    wanted = set(args.graphs.split(','))
    report = {}
    for graph_name, file_name in manifest['files'].items():
        if not file_name:
            continue
        model = onnx.load(os.path.join(src, file_name))
        if graph_name in wanted:
            report[graph_name] = quantise_graph(model, args.min_size, args.reduce_range)
            onnx.checker.check_model(model)
        onnx.save(model, os.path.join(out, file_name))
    manifest['id'] = f"{manifest['id']}-int8"
    manifest['name'] = f"{manifest['name']} (int8 weights)"
    manifest['quantisation'] = {
        'scheme': 'dynamic int8: uint8 activations per call, int8 weights per output column, symmetric',
        'weights_bits': 7 if args.reduce_range else 8,
        'matmuls_quantised': report,
        'from': manifest['id'][:-len('-int8')],
    }
    manifest.pop('metrics', None)  # the fp32 model's figures; `npm run eval` measures this one
    if args.metrics:
        with open(args.metrics) as f:
            manifest['metrics'] = json.load(f)
    with open(os.path.join(out, 'model.json'), 'w') as f:
        json.dump(manifest, f, indent=2)
        f.write('\n')
    print(json.dumps({'out': out, 'matmuls_quantised': report}))
    return out


if __name__ == '__main__':
    main(sys.argv[1:])
