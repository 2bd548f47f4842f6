# SMILE-VLM on BP4D-Spontaneous, recognition protocol, with the paper's
# settings: CLIP ViT-B/16 image tower (trained), frozen CLIP ViT-B/16 text
# tower, AdamW lr 1e-4, 3 views at yaw -30/0/+30, one dynamic image per view.
# Classes: the 8 tasks mapped to the emotion each elicits (T1 happy, T2 sad,
# T3 surprise, T4 embarrassment, T5 fear/nervousness, T6 pain, T7 angry,
# T8 disgust; _base_/datasets/bp4d.py task_to_class), prompt pools
# _base_/prompts/bp4d_tasks.py. Paper: 88.45% (10-fold, subject-independent).
#   python tools/prepare_data.py configs/smile_vlm_bp4d.py --workers 8
#   python tools/cross_validate.py configs/smile_vlm_bp4d.py --folds 10
# Offline: --cfg-options model.backbone.pretrained=/path/open_clip_vit_b16.bin
#   model.text_encoder.pretrained=/path/open_clip_vit_b16.bin
# On a CPU: configs/benchmarks/synthetic_4d_cpu/smile_vlm_bp4d.py (cpu_variant).
_base_ = [
    '_base_/models/smile_vlm_clip_vit_b16.py',
    '_base_/datasets/bp4d.py',
    '_base_/prompts/bp4d_tasks.py',
    '_base_/schedules/adamw_lr1e-4.py',
    '_base_/default_runtime.py',
]
model = dict(class_names=_base_.class_names, prompt_pools=_base_.prompt_pools)
cv_evaluations = ['zero_shot', 'linear_probe']
cpu_variant = 'configs/benchmarks/synthetic_4d_cpu/smile_vlm_bp4d.py'
