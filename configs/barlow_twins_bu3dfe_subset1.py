# Self-supervised baseline on BU-3DFE subset I: the SMILE-VLM network (CLIP
# ViT-B/16 image tower, d = 512) trained with the multi-view Barlow Twins loss
# only, evaluated by linear probe (in the spirit of MiFaR; paper: 88.53%).
_base_ = ['_base_/models/barlow_twins_multi_view.py', '_base_/datasets/bu3dfe_subset1.py',
          '_base_/schedules/adamw_lr1e-4.py', '_base_/default_runtime.py']
model = dict(backbone=dict(_delete_=True, type='VisionBackbone', model_name='open_clip/ViT-B-16',
                           pretrained='openai'),
             projector=dict(hidden_dim=2048, residual=True), embed_dim=512)
val_evaluator = dict(type='EmbeddingMetric')
test_evaluator = val_evaluator
cv_evaluations = ['linear_probe']
