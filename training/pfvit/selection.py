"""Which epoch becomes best.pt: one rule for every training script that validates a classifier."""
from typing import Dict

SELECT_CHOICES = ('accuracy', 'balanced')


def add_select_arg(group) -> None:
    group.add_argument('--select', default='accuracy', choices=SELECT_CHOICES,
                       help='best.pt is the epoch with the best validation accuracy, or the best mean of '
                            'accuracy and mean per-class recall')


def keep_if_best(best: Dict, report: Dict, epoch: int, select: str) -> bool:
    """True, with `best` updated, when this epoch's validation report (metrics.classification_report)
    beats the best so far by `select`. `best` starts as {'accuracy': -1.0, 'epoch': None}; checkpoints
    from before the balanced rule existed have no 'score', and their accuracy stands in for it."""
    accuracy, recall = report['accuracy'], report['mean_class_recall']
    score = accuracy if select == 'accuracy' else (accuracy + recall) / 2
    if score <= best.get('score', best['accuracy']):
        return False
    best.update(accuracy=accuracy, mean_class_recall=recall, epoch=epoch, score=score)
    return True
