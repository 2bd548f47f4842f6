# SMILE-VLM on BU-4DFE with the paper's settings: CLIP ViT-B/16 image tower
# (trained), frozen CLIP ViT-B/16 text tower, AdamW lr 1e-4 with weight decay,
# 3 views at yaw -30/0/+30, one dynamic image per view (16 frames sampled
# uniformly, approximate rank pooling). 6 classes. Paper: 96.57% (10-fold,
# subject-independent).
#   python tools/prepare_data.py configs/smile_vlm_bu4dfe.py --workers 8
#   python tools/cross_validate.py configs/smile_vlm_bu4dfe.py --folds 10
# Offline: --cfg-options model.backbone.pretrained=/path/open_clip_vit_b16.bin
#   model.text_encoder.pretrained=/path/open_clip_vit_b16.bin
# On a CPU: configs/benchmarks/synthetic_4d_cpu/smile_vlm_bu4dfe.py (cpu_variant).
_base_ = [
    '_base_/models/smile_vlm_clip_vit_b16.py',
    '_base_/datasets/bu4dfe.py',
    '_base_/prompts/basic_emotions.py',
    '_base_/schedules/adamw_lr1e-4.py',
    '_base_/default_runtime.py',
]
model = dict(class_names=_base_.class_names, prompt_pools=_base_.prompt_pools)
cv_evaluations = ['zero_shot', 'linear_probe']
cpu_variant = 'configs/benchmarks/synthetic_4d_cpu/smile_vlm_bu4dfe.py'
