# Supervised baseline of the 64 px / 15-epoch suite: the same backbone,
# projector and fusion as smile_vlm.py with a linear classifier, cross-entropy
# on the labels, same data, views and schedule; the baseline of
# ../synthetic_bu3dfe_cpu/supervised_ce.py (their shared part:
# configs/_base_/benchmarks/synthetic_bu3dfe_supervised_ce.py) on this suite's
# data and schedule, in bf16 autocast with channels-last weights as smile_vlm.py.
_base_ = [
    '../../_base_/benchmarks/synthetic_bu3dfe_supervised_ce.py',
    '../../_base_/datasets/synthetic_bu3dfe.py',
    '../../_base_/schedules/cpu_from_scratch_e15.py',
]
model = dict(backbone=dict(channels_last=True), num_classes=len(_base_.class_names))
optim_wrapper = dict(type='AnyDeviceAmpOptimWrapper', dtype='bfloat16')  # as smile_vlm.py
val_evaluator = dict(type='ExpressionMetric', method='classifier')
test_evaluator = val_evaluator
