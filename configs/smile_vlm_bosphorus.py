# SMILE-VLM on Bosphorus with the paper's settings (CLIP ViT-B/16 image tower,
# frozen CLIP text tower, AdamW lr 1e-4, yaw -30/0/+30). Paper: 79.97%.
#   python tools/cross_validate.py configs/smile_vlm_bosphorus.py --folds 10
_base_ = [
    '_base_/models/smile_vlm_clip_vit_b16.py',
    '_base_/datasets/bosphorus.py',
    '_base_/prompts/basic_emotions.py',
    '_base_/schedules/adamw_lr1e-4.py',
    '_base_/default_runtime.py',
]
model = dict(class_names=_base_.class_names, prompt_pools=_base_.prompt_pools)
cv_evaluations = ['zero_shot', 'linear_probe']
