"""What a training run's log says, for a model card: Valid after each epoch, the median speed, and the
time its steps took at that speed (the machine's other load included; not the wall clock, which a
session ending interrupts).

    /usr/bin/python3 training/run_summary.py /work/pf-runs/v9-trunk [more run folders]

Reads <run>/log.jsonl as the trainers write it (pfvit/runtime.py): the `start` event (images per
epoch), one `epoch` event per epoch (val_accuracy, val_mean_class_recall) and `img_s` on logged steps.
"""
import json
import statistics
import sys


def summarise(lines):
    """The run's figures from its log lines (dicts)."""
    start = next((e for e in lines if e.get('event') == 'start'), {})
    epochs = [e for e in lines if e.get('event') == 'epoch']
    speeds = [e['img_s'] for e in lines if 'img_s' in e]
    median = statistics.median(speeds) if speeds else None
    images = start.get('images', 0) * len(epochs)
    return {
        'epochs': [(e['epoch'], e.get('val_accuracy'), e.get('val_mean_class_recall')) for e in epochs],
        'finished': any(e.get('reason') == 'epochs' for e in lines),
        'median_img_s': median,
        'minutes_at_median': images / median / 60 if median else None,
    }


def main(folders):
    for folder in folders:
        with open(f'{folder}/log.jsonl') as f:
            s = summarise([json.loads(line) for line in f if line.strip()])
        print(f'{folder}: {len(s["epochs"])} epochs{" (all ran)" if s["finished"] else ""}')
        for epoch, acc, recall in s['epochs']:
            print(f'  epoch {epoch}: Valid {100 * acc:.1f} % accuracy, {100 * recall:.1f} % mean per-class recall')
        if s['median_img_s']:
            print(f'  median {s["median_img_s"]:.0f} img/s over its logged steps; its epochs at that speed: '
                  f'{s["minutes_at_median"]:.0f} minutes')


if __name__ == '__main__':
    main(sys.argv[1:])
