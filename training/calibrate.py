"""Fit logit adjustment and temperature on FER2013Valid and fold them into the classifier.

    /usr/bin/python3 training/calibrate.py --checkpoint /work/pf-runs/v4-cls/best.pt --out /work/pf-runs/v4-cls/calibrated.pt

Writes a copy of the checkpoint whose C returns (logits - tau * log prior) / T (pfvit/calibration.py)
and records tau, T, the training prior and the validation figures before and after under
`calibration`, which export_onnx.py copies into model.json. Only validation images are used: the
test split stays for the one final measurement (npm run eval).
"""
import argparse
import contextlib
import json
import sys

import torch

from pfvit.augment import FaceTransform
from pfvit.calibration import choose_tau, fit_temperature, fold_into_linear, summary
from pfvit.checkpoint import read_file, save_file
from pfvit.data import FaceDataset, ferplus_samples
from pfvit.predict import predict
from pfvit.runtime import available_cpus
from pfvit.sources import require_ferplus
from pfvit.trained import load_trained


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--checkpoint', required=True, help='a train_pfvit.py or train_vit.py checkpoint')
    p.add_argument('--out', required=True, help='calibrated checkpoint to write')
    p.add_argument('--flip-average', action='store_true',
                   help='the exported classifier averages its logits over the face and its mirror image; '
                        'fit (and record) the corrections on those averaged logits')
    p.add_argument('--tau', type=float, help='logit adjustment strength (default: chosen on validation)')
    p.add_argument('--data-dir', help='folder holding ferplus/ (default: $PF_DATA_DIR or ../shared/data)')
    p.add_argument('--limit', type=int, help='only the first N validation images (smoke tests)')
    p.add_argument('--threads', type=int, default=available_cpus())
    return p.parse_args(argv)


def linear_of(trained):
    return trained.model.classifier if trained.kind == 'pfvit' else trained.model.head


def main(argv=None) -> dict:
    args = parse_args(argv)
    torch.set_num_threads(max(1, args.threads))
    trained = load_trained(args.checkpoint)
    require_ferplus(args.data_dir)
    # The prior is the training split's majority-label frequency: what the classifier was fitted to.
    train_labels = torch.tensor([s.label for s in ferplus_samples('train', args.data_dir)])
    prior = torch.bincount(train_labels, minlength=len(trained.classes)).float().clamp_min(1)
    log_prior = (prior / prior.sum()).log()
    samples = ferplus_samples('valid', args.data_dir, limit=args.limit)
    dataset = FaceDataset(samples, FaceTransform(trained.config.img_size, train=False))

    def autocast():
        return torch.autocast(device_type='cpu', dtype=torch.bfloat16)

    def logits_of(images):
        plain = trained.model(images)
        return (plain + trained.model(torch.flip(images, dims=[3]))) / 2 if args.flip_average else plain

    labels, _, extra = predict(trained.model, dataset, torch.device('cpu'), autocast,
                               extra_fn=lambda images: {'logits': logits_of(images)})
    logits, labels = torch.tensor(extra['logits']), torch.tensor(labels)
    choice = choose_tau(logits, labels, log_prior)
    tau = choice['tau'] if args.tau is None else args.tau
    adjusted = logits - tau * log_prior
    temperature = fit_temperature(adjusted, labels)
    record = {'fitted_on': f'FERPlus valid ({len(samples)} faces, majority protocol)',
              'flip_average': args.flip_average,
              'tau': tau, 'temperature': round(temperature, 6),
              'train_prior': [round(v, 6) for v in (prior / prior.sum()).tolist()],
              'valid_before': summary(logits, labels), 'valid_after': summary(adjusted / temperature, labels),
              'tau_candidates': choice['candidates']}
    fold_into_linear(linear_of(trained), temperature, -tau * log_prior)
    ckpt = read_file(args.checkpoint)
    ckpt['model'] = trained.model.state_dict()
    ckpt['calibration'] = record
    ckpt['test_time'] = {'flip_average': args.flip_average}
    save_file(ckpt, args.out)
    print(json.dumps({k: v for k, v in record.items() if k != 'tau_candidates'}, indent=2))
    return record


if __name__ == '__main__':
    main(sys.argv[1:])
