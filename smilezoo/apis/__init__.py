"""High-level use of a trained model: raw scans / sequences in, predictions out."""
from .inference import ExpressionInferencer, InferenceInput, collect_inputs

__all__ = ['ExpressionInferencer', 'InferenceInput', 'collect_inputs']
