# The supervised baseline at the size of tiny_synthetic.py, for tests.
_base_ = ['./tiny_synthetic.py']
model = dict(_delete_=True, type='SupervisedMultiView',
             backbone=dict(type='TimmBackbone', model_name='resnet10t', in_chans=3),
             projector=dict(type='MLPProjector', hidden_dim=128),
             fusion=dict(type='ViewAttentionFusion'), embed_dim=384, num_classes=6)
val_evaluator = dict(type='ExpressionMetric', method='classifier')
test_evaluator = val_evaluator
cv_evaluations = ['classifier', 'linear_probe']
