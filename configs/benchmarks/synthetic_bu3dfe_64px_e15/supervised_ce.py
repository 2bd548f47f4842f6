# Supervised baseline of the 64 px / 15-epoch suite: the same backbone,
# projector and fusion as smile_vlm.py with a linear classifier, cross-entropy
# on the labels, same data, views and schedule.
_base_ = [
    '../../_base_/models/supervised_multi_view.py',
    '../../_base_/datasets/synthetic_bu3dfe.py',
    '../../_base_/schedules/cpu_from_scratch_e15.py',
    '../../_base_/default_runtime.py',
]
model = dict(backbone=dict(model_name='resnet10t', channels_last=True),
             num_classes=len(_base_.class_names))
optim_wrapper = dict(type='AnyDeviceAmpOptimWrapper', dtype='bfloat16')  # as smile_vlm.py
val_evaluator = dict(type='ExpressionMetric', method='classifier')
test_evaluator = val_evaluator
default_hooks = dict(logger=dict(interval=50))
cv_evaluations = ['classifier', 'linear_probe']
