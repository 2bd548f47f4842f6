from .embedding_metric import EmbeddingMetric
from .expression_metric import ExpressionMetric, classification_summary

__all__ = ["EmbeddingMetric", "ExpressionMetric", "classification_summary"]
