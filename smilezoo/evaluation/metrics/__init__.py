from .expression_metric import ExpressionMetric, classification_summary

__all__ = ["ExpressionMetric", "classification_summary"]
