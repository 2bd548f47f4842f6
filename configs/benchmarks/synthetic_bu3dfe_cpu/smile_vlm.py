# SMILE-VLM, CPU-sized (resnet10t from scratch, 32 px, 8 epochs, MiniLM text encoder),
# synthetic BU-3DFE subset-I protocol. Zero-shot and linear-probe evaluation.
#   python tools/cross_validate.py configs/benchmarks/synthetic_bu3dfe_cpu/*.py --folds 10
_base_ = [
    '../../_base_/models/smile_vlm_timm_minilm.py',
    '../../_base_/datasets/synthetic_bu3dfe_subset1_cpu.py',
    '../../_base_/prompts/basic_emotions.py',
    '../../_base_/schedules/cpu_from_scratch_e8.py',
    '../../_base_/default_runtime.py',
]
# reuse_aug_as_clean: augmentation A doubles as the clean view (6 backbone passes
# a sample instead of 9) so that 60 CPU trainings fit in an hour; the paper's
# configs keep the separate clean view.
model = dict(backbone=dict(model_name='resnet10t'), class_names=_base_.class_names,
             prompt_pools=_base_.prompt_pools, reuse_aug_as_clean=True)
default_hooks = dict(logger=dict(interval=50))
cv_evaluations = ['zero_shot', 'linear_probe']
