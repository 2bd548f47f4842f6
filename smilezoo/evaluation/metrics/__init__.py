from .expression_metric import (ExpressionMetric, classification_summary, confusion_matrix,
                                f1_per_class, recall_per_class, view_names_from_yaws)

__all__ = ["ExpressionMetric", "classification_summary", "confusion_matrix", "f1_per_class",
           "recall_per_class", "view_names_from_yaws"]
