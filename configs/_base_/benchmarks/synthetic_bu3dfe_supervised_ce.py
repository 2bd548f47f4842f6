# What the supervised baselines of the synthetic BU-3DFE CPU suites share
# (configs/benchmarks/synthetic_bu3dfe_cpu/supervised_ce.py and
# configs/benchmarks/synthetic_bu3dfe_64px_e15/supervised_ce.py): the network of
# supervised_multi_view.py with timm's resnet10t from scratch, a linear
# classifier, cross-entropy on the labels, classifier and linear-probe CV. A
# config adds its data set and schedule as sibling bases, then the classes and
# the classifier evaluators (the data-set bases define the evaluators, so they
# cannot sit in this chain):
#   model = dict(num_classes=len(_base_.class_names))
#   val_evaluator = dict(type='ExpressionMetric', method='classifier')
#   test_evaluator = val_evaluator
_base_ = ['../models/supervised_multi_view.py', '../default_runtime.py']
model = dict(backbone=dict(model_name='resnet10t'))
default_hooks = dict(logger=dict(interval=50))
cv_evaluations = ['classifier', 'linear_probe']
