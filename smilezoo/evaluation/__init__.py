"""Evaluation: metrics registered with mmengine."""
from .metrics import ExpressionMetric  # noqa: F401
