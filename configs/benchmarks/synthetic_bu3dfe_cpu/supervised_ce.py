# Supervised baseline: same backbone, projector and fusion, cross-entropy on labels
# (configs/_base_/benchmarks/synthetic_bu3dfe_supervised_ce.py).
_base_ = [
    '../../_base_/benchmarks/synthetic_bu3dfe_supervised_ce.py',
    '../../_base_/datasets/synthetic_bu3dfe_subset1_cpu.py',
    '../../_base_/schedules/cpu_from_scratch_e8.py',
]
model = dict(num_classes=len(_base_.class_names))
val_evaluator = dict(type='ExpressionMetric', method='classifier')
test_evaluator = val_evaluator
