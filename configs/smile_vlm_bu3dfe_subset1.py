# SMILE-VLM on BU-3DFE subset I with the paper's settings: CLIP ViT-B/16 image
# tower (trained), frozen CLIP ViT-B/16 text tower, AdamW lr 1e-4 with weight
# decay, 3 views at yaw -30/0/+30. Paper: 89.51% (10-fold, subject-independent).
#   python tools/prepare_data.py configs/smile_vlm_bu3dfe_subset1.py --workers 8
#   python tools/cross_validate.py configs/smile_vlm_bu3dfe_subset1.py --folds 10
# Offline: --cfg-options model.backbone.pretrained=/path/open_clip_vit_b16.bin
#   model.text_encoder.pretrained=/path/open_clip_vit_b16.bin
_base_ = [
    '_base_/models/smile_vlm_clip_vit_b16.py',
    '_base_/datasets/bu3dfe_subset1.py',
    '_base_/prompts/basic_emotions.py',
    '_base_/schedules/adamw_lr1e-4.py',
    '_base_/default_runtime.py',
]
model = dict(class_names=_base_.class_names, prompt_pools=_base_.prompt_pools)
cv_evaluations = ['zero_shot', 'linear_probe']
