# The supervised baseline: the same backbone, projector and view fusion with a
# linear classifier, trained with cross-entropy on the labels. Top configs
# evaluate it with ExpressionMetric(method='classifier') and
# cv_evaluations = ['classifier', 'linear_probe'].
_base_ = ['./multi_view_network.py']
model = dict(type='SupervisedMultiView', backbone=dict(type='TimmBackbone', model_name='resnet18'),
             fusion=dict(hidden_dim=128), embed_dim=384, num_classes=6)
