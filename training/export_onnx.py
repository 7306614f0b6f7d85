"""Export a trained model to the app's model folder: classify.onnx, generate.onnx, model.json.

    /usr/bin/python3 training/export_onnx.py --checkpoint training/runs/pfvit/best.pt --id pfvit-cpu-small --name "PF-ViT (192x6, FERPlus)" --metrics metrics.json

writes resources/models/<id>/. Graphs are fp32, opset 17, with a dynamic batch. `--parity N` also
writes parity.json: N real FERPlus test faces (the exact input tensors) with PyTorch's outputs, which
test/training/onnx-parity.test.ts compares with onnxruntime-node. `--random-init` exports an untrained
model of a preset, for tests only.
"""
import argparse
import inspect
import json
import os
import sys
import warnings
from dataclasses import replace

import onnx
import torch

from pfvit.augment import FaceTransform
from pfvit.face_stem import FACE_STEMS, PReLU2d
from pfvit.data import FERPLUS_CLASSES, NEUTRAL, FaceDataset, ferplus_samples
from pfvit.graphs import (CLASSIFY_OUTPUTS, GENERATE_OUTPUTS, ClassifyGraph, GenerateGraph,
                          expected_shapes)
from pfvit.model_card import model_card
from pfvit.presets import PRESETS, model_config
from pfvit.runtime import TRAINING_DIR
from pfvit.sources import require_ferplus
from pfvit.trained import TrainedModel, build, load_trained

REPO = os.path.dirname(TRAINING_DIR)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument('--checkpoint', help='best.pt / last.pt of train_pfvit.py or train_vit.py')
    src.add_argument('--random-init', choices=['pfvit', 'vit'], help='untrained model (tests only)')
    p.add_argument('--preset', default='micro', choices=sorted(PRESETS), help='with --random-init')
    p.add_argument('--input-size', type=int, help='with --random-init')
    p.add_argument('--seed', type=int, default=0, help='with --random-init')
    p.add_argument('--generator-output', default='pixels', choices=['pixels', 'composition'],
                   help='with --random-init pfvit: the generator head (presets.ModelConfig.generator_output)')
    p.add_argument('--patch-size', type=int, help='with --random-init')
    p.add_argument('--warp-px', type=float, default=0.0,
                   help='with --random-init pfvit --generator-output composition: G also warps (composition.py)')
    p.add_argument('--paint-region', default='', choices=('', 'mouth', 'none'),
                   help='with --random-init pfvit --generator-output composition: where G may paint')
    p.add_argument('--face-stem', default='', choices=('',) + FACE_STEMS,
                   help='with --random-init: a convolutional branch beside the patch embedding (needs patch 16)')
    p.add_argument('--id', help='model id and folder name (default: derived from the model)')
    p.add_argument('--name', help='display name')
    p.add_argument('--version', default='0.1.0')
    p.add_argument('--out', help='output folder (default: resources/models/<id>)')
    p.add_argument('--metrics', help='evaluate.py JSON to record in model.json')
    p.add_argument('--parity', type=int, default=0, metavar='N', help='write parity.json with N real test faces')
    p.add_argument('--data-dir', help='folder holding ferplus/ (for --parity)')
    p.add_argument('--opset', type=int, default=17)
    return p.parse_args(argv)


def main(argv=None) -> str:
    args = parse_args(argv)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    trained = load_trained(args.checkpoint) if args.checkpoint else random_model(args)
    trained.model.float().eval()
    cfg = trained.config
    model_id = args.id or f'{"pfvit" if trained.kind == "pfvit" else "vit"}-{cfg.embed_dim}x{cfg.depth}'
    out = args.out or os.path.join(REPO, 'resources', 'models', model_id)
    os.makedirs(out, exist_ok=True)

    shapes = expected_shapes(trained)
    files = {'classify': 'classify.onnx', 'generate': None}
    graphs = [('classify', ClassifyGraph, CLASSIFY_OUTPUTS)]
    if trained.kind == 'pfvit':
        graphs.append(('generate', GenerateGraph, GENERATE_OUTPUTS))
    for name, graph, outputs in graphs:
        files[name] = f'{name}.onnx'
        export_graph(graph(trained), trained, os.path.join(out, files[name]), outputs, args.opset)
        check_graph(os.path.join(out, files[name]), trained, shapes[name])

    metrics = None
    if args.metrics:
        with open(args.metrics) as f:
            metrics = json.load(f)
    name = args.name or ('PF-ViT' if trained.kind == 'pfvit' else 'ViT baseline')
    write_json(os.path.join(out, 'model.json'), model_card(trained, model_id, name, args.version, files, metrics))
    if args.parity:
        parity = parity_record(trained, args.parity, args.data_dir, files)
        write_json(os.path.join(out, 'parity.json'), parity, indent=None)
    print(out)
    return out


def random_model(args) -> TrainedModel:
    torch.manual_seed(args.seed)
    cfg = replace(model_config(args.preset, args.input_size, args.patch_size), generator_output=args.generator_output,
                  face_stem=args.face_stem, warp_px=args.warp_px, paint_region=args.paint_region)
    model = build(args.random_init, cfg)
    if cfg.warp_px:  # likewise a warp at its zero start: random, and large enough to move pixels
        torch.nn.init.normal_(model.generator.composer.flow.weight, std=1.0)
    if cfg.face_stem:  # a branch at its zero start would export as nothing the tests could compare
        encoder = model.encoder if args.random_init == 'pfvit' else model
        torch.nn.init.normal_(encoder.face_stem_proj.weight, std=0.1)
        for act in encoder.face_stem.modules():
            if isinstance(act, PReLU2d):
                torch.nn.init.uniform_(act.alpha, 0.0, 0.5)
    return TrainedModel(args.random_init, model, cfg, list(FERPLUS_CLASSES), NEUTRAL, {})


def export_graph(graph: torch.nn.Module, trained: TrainedModel, path: str, outputs, opset: int) -> None:
    size = trained.config.img_size
    example = torch.zeros(2, 3, size, size)  # batch 2: a batch of 1 invites shape specialisation
    kwargs = {}
    if 'dynamo' in inspect.signature(torch.onnx.export).parameters:
        kwargs['dynamo'] = False  # PyTorch 2.x: keep the TorchScript exporter, which honours dynamic_axes
    with torch.no_grad(), warnings.catch_warnings():
        # PyTorch 1.13 warns about shape inference of prim::Constant on every graph; check_graph
        # verifies the shapes that matter instead.
        warnings.filterwarnings('ignore', message='The shape inference of prim::Constant')
        torch.onnx.export(graph, (example,), path, input_names=['image'], output_names=list(outputs),
                          dynamic_axes={name: {0: 'N'} for name in ('image', *outputs)},
                          opset_version=opset, do_constant_folding=True, **kwargs)


def graph_shapes(model: onnx.ModelProto) -> dict:
    """name -> shape ('N'-like names for symbolic dims) of every graph input and output."""
    def dims(value):
        return [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]
    return {v.name: dims(v) for v in list(model.graph.input) + list(model.graph.output)}


def check_graph(path: str, trained: TrainedModel, expected_outputs: dict) -> None:
    """onnx.checker plus the contract's names and shapes; raises with what does not match."""
    model = onnx.load(path)
    onnx.checker.check_model(model)
    size = trained.config.img_size
    expected = {'image': ['N', 3, size, size], **expected_outputs}
    found = graph_shapes(onnx.shape_inference.infer_shapes(model))
    problems = [f'{name}: expected {shape}, found {found.get(name)}' for name, shape in expected.items()
                if name not in found or len(found[name]) != len(shape)
                or any(e != f for e, f in zip(shape[1:], found[name][1:]))
                or not isinstance(found[name][0], str)]
    if set(found) != set(expected):
        problems.append(f'names: expected {sorted(expected)}, found {sorted(found)}')
    if problems:
        raise SystemExit(f'{path} does not match the model contract:\n  ' + '\n  '.join(problems))


def parity_record(trained: TrainedModel, count: int, data_dir, files: dict) -> dict:
    """PyTorch fp32 outputs on real faces, with the exact inputs, flattened row-major."""
    require_ferplus(data_dir)
    samples = ferplus_samples('test', data_dir, limit=count)
    dataset = FaceDataset(samples, FaceTransform(trained.config.img_size, train=False))
    images = torch.stack([dataset[i][0] for i in range(len(dataset))])
    record = {'images': [os.path.basename(s.path) for s in dataset.samples],
              'input': tensor_record(images), 'outputs': {}}
    with torch.no_grad():
        graphs = {'classify': (ClassifyGraph(trained), CLASSIFY_OUTPUTS)}
        if files['generate']:
            graphs['generate'] = (GenerateGraph(trained), GENERATE_OUTPUTS)
        for graph_name, (graph, names) in graphs.items():
            record['outputs'][graph_name] = {n: tensor_record(t) for n, t in zip(names, graph(images))}
    return record


def tensor_record(t: torch.Tensor) -> dict:
    return {'shape': list(t.shape), 'data': [round(v, 7) for v in t.float().flatten().tolist()]}


def write_json(path: str, obj: dict, indent=2) -> None:
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(obj, f, indent=indent)
        f.write('\n')
    os.replace(tmp, path)


if __name__ == '__main__':
    main(sys.argv[1:])
