"""Classification metrics over plain lists: accuracy, per-class accuracy (recall), confusion matrix."""
from typing import Dict, List, Sequence


def confusion_matrix(labels: Sequence[int], predictions: Sequence[int], num_classes: int) -> List[List[int]]:
    """Rows are true classes, columns predicted classes."""
    matrix = [[0] * num_classes for _ in range(num_classes)]
    for t, p in zip(labels, predictions):
        matrix[t][p] += 1
    return matrix


def classification_report(labels: Sequence[int], predictions: Sequence[int], classes: Sequence[str]) -> Dict:
    matrix = confusion_matrix(labels, predictions, len(classes))
    total = len(labels)
    correct = sum(matrix[i][i] for i in range(len(classes)))
    per_class = {}
    for i, name in enumerate(classes):
        n = sum(matrix[i])
        per_class[name] = round(matrix[i][i] / n, 6) if n else None
    recalls = [v for v in per_class.values() if v is not None]
    return {
        'samples': total,
        'accuracy': round(correct / total, 6) if total else None,
        # Mean per-class recall over the classes present: accuracy as if every class were as common.
        'mean_class_recall': round(sum(recalls) / len(recalls), 6) if recalls else None,
        'per_class_accuracy': per_class,
        'class_counts': {name: sum(matrix[i]) for i, name in enumerate(classes)},
        'classes': list(classes),
        'confusion_matrix': matrix,
    }
