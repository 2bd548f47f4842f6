# SMILE-VLM for 4D micro-expression recognition on 4DME, with the paper's
# settings (CLIP ViT-B/16 image tower, frozen CLIP text tower, AdamW lr 1e-4,
# 3 views at yaw -30/0/+30 = left/front/right) and the micro-expression prompt
# pools ("a face with [CLS] micro expression", ...). 5 classes. Evaluation as
# the paper's Table V: F1 and per-class accuracy for each view alone and for
# the fusion (ExpressionMetric per_view_f1=True); a multi-label clip counts as
# recognised when the prediction is any of its labels (multi_label='any').
# Paper (fused): average F1 0.8023, accuracy 86.61%.
#   python tools/prepare_data.py configs/smile_vlm_4dme.py --workers 8
#   python tools/cross_validate.py configs/smile_vlm_4dme.py --folds 10
# On a CPU: configs/benchmarks/synthetic_4d_cpu/smile_vlm_4dme.py (cpu_variant).
_base_ = [
    '_base_/models/smile_vlm_clip_vit_b16.py',
    '_base_/datasets/4dme.py',
    '_base_/prompts/micro_expressions.py',
    '_base_/schedules/adamw_lr1e-4.py',
    '_base_/default_runtime.py',
]
model = dict(class_names=_base_.class_names, prompt_pools=_base_.prompt_pools)
cv_evaluations = ['zero_shot', 'linear_probe']
cpu_variant = 'configs/benchmarks/synthetic_4d_cpu/smile_vlm_4dme.py'
