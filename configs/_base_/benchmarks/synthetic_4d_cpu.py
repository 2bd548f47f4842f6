# What the SMILE-VLM configs of configs/benchmarks/synthetic_4d_cpu/ share, the
# CPU variant of the paper's set-up: timm resnet10t from scratch, MiniLM text
# encoder, a 256-wide projector, 40 epochs. A config there adds its data set and
# prompts as sibling bases (they define other keys than this chain), then its
# cache, its loaders and the model's classes:
#   _base_ = ['../../_base_/benchmarks/synthetic_4d_cpu.py',
#             '../../_base_/datasets/synthetic_bu4dfe.py',
#             '../../_base_/prompts/basic_emotions.py']
#   data_preparation = dict(renderer=dict(image_size=32), out_dir='data/cache/...')
#   train_dataloader = val_dataloader = test_dataloader = dict(
#       batch_size=16, num_workers=0, persistent_workers=False)
#   model = dict(class_names=_base_.class_names, prompt_pools=_base_.prompt_pools)
# (mmengine refuses one key in two sibling bases, so the loaders, which the
# data-set base defines, are set by the config itself.)
_base_ = [
    '../models/smile_vlm_timm_minilm.py',
    '../schedules/cpu_from_scratch_e40.py',
    '../default_runtime.py',
]
# reuse_aug_as_clean: augmentation A doubles as the clean view (6 backbone
# passes a sample instead of 9), as in the 3D CPU benchmark; the paper's
# configs keep the separate clean view.
model = dict(backbone=dict(model_name='timm/resnet10t'), projector=dict(hidden_dim=256),
             reuse_aug_as_clean=True)
default_hooks = dict(logger=dict(interval=20))
cv_evaluations = ['zero_shot', 'linear_probe']
