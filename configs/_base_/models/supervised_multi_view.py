# The supervised baseline: the same backbone, projector and view fusion with a
# linear classifier, trained with cross-entropy on the labels.
model = dict(
    type='SupervisedMultiView',
    data_preprocessor=dict(type='MultiViewDataPreprocessor'),
    backbone=dict(type='TimmBackbone', model_name='resnet18', pretrained=None, in_chans=3),
    projector=dict(type='MLPProjector', hidden_dim=512, num_layers=2),
    fusion=dict(type='ViewAttentionFusion', hidden_dim=128),
    augment=dict(type='BatchViewAugment'),
    embed_dim=384,
    num_classes=6,
)
# Top configs evaluate it with ExpressionMetric(method='classifier') and
# cv_evaluations = ['classifier', 'linear_probe'].
