from .expression_metric import ExpressionMetric, confusion_matrix, f1_per_class

__all__ = ['ExpressionMetric', 'confusion_matrix', 'f1_per_class']
