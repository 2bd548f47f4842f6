# SMILE-VLM on BU-3DFE subset II (all four intensities). Paper: 84.01%.
_base_ = [
    '_base_/models/smile_vlm_clip_vit_b16.py',
    '_base_/datasets/bu3dfe_subset2.py',
    '_base_/prompts/basic_emotions.py',
    '_base_/schedules/adamw_lr1e-4.py',
    '_base_/default_runtime.py',
]
model = dict(class_names=_base_.class_names, prompt_pools=_base_.prompt_pools)
cv_evaluations = ['zero_shot', 'linear_probe']
