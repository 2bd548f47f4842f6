# Self-supervised baseline: multi-view Barlow Twins only, linear probe.
_base_ = ['../../_base_/models/barlow_twins_multi_view.py',
          '../../_base_/datasets/synthetic_bu3dfe_subset1_cpu.py',
          '../../_base_/schedules/cpu_from_scratch_e8.py', '../../_base_/default_runtime.py']
model = dict(backbone=dict(model_name='resnet10t'))
val_evaluator = dict(type='EmbeddingMetric')
test_evaluator = val_evaluator
default_hooks = dict(logger=dict(interval=50))
cv_evaluations = ['linear_probe']
