from .expression_metric import (ExpressionMetric, classification_summary, confusion_matrix,
                                f1_per_class)

__all__ = ["ExpressionMetric", "classification_summary", "confusion_matrix", "f1_per_class"]
