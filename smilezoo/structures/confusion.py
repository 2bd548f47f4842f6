"""The confusion matrix of class predictions and the per-class scores read from it."""
import numpy as np


def confusion_matrix(gt: np.ndarray, pred: np.ndarray, num_classes: int) -> np.ndarray:
    """(C, C) counts; row = ground truth, column = prediction."""
    return np.bincount(gt * num_classes + pred, minlength=num_classes ** 2).reshape(
        num_classes, num_classes)


def f1_per_class(cm: np.ndarray) -> np.ndarray:
    """(C,) F1 from a confusion matrix; 0 for a class never seen nor predicted."""
    tp = np.diag(cm).astype(float)
    denom = cm.sum(0) + cm.sum(1)
    return np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)


def recall_per_class(cm: np.ndarray) -> np.ndarray:
    """(C,) share of each class's samples predicted as that class (the per-class accuracy of
    micro-expression tables); 0 for a class with no sample."""
    tp = np.diag(cm).astype(float)
    n = cm.sum(1)
    return np.divide(tp, n, out=np.zeros_like(tp), where=n > 0)
