# Supervised baseline on BU-3DFE subset I: the same CLIP ViT-B/16 image tower,
# projector and view fusion with a linear classifier, cross-entropy on labels.
_base_ = [
    '_base_/models/supervised_multi_view.py',
    '_base_/datasets/bu3dfe_subset1.py',
    '_base_/schedules/adamw_lr1e-4.py',
    '_base_/default_runtime.py',
]
model = dict(
    backbone=dict(_delete_=True, type='OpenCLIPVisionBackbone', model_name='ViT-B-16',
                  pretrained='openai'),
    projector=dict(hidden_dim=2048), embed_dim=512, num_classes=len(_base_.class_names))
val_evaluator = dict(type='ExpressionMetric', method='classifier')
test_evaluator = val_evaluator
cv_evaluations = ['classifier', 'linear_probe']
