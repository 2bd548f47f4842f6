"""Evaluation: metrics registered with mmengine, linear probes, cross-validation reports."""
from .linear_probe import extract_embeddings, fit_linear_probe, predict_linear_probe  # noqa: F401
from .metrics import ExpressionMetric, classification_summary  # noqa: F401
