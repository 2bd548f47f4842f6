# The main job: SMILE-VLM on the built-in synthetic BU-3DFE-layout scans, sized
# for a CPU (small timm backbone trained from scratch, 64 px views, offline
# MiniLM text encoder). Test: held-out subjects (fold 0 of 5), intensities 3-4.
#   python tools/dataset_converters/make_synthetic.py --layout bu3dfe \
#       --out data/synthetic_bu3dfe --subjects 40 --seed 0
#   python tools/prepare_data.py configs/smile_vlm_synthetic.py --workers 2
#   python tools/train.py configs/smile_vlm_synthetic.py
_base_ = [
    '_base_/models/smile_vlm_timm_minilm.py',
    '_base_/datasets/synthetic_bu3dfe.py',
    '_base_/prompts/basic_emotions.py',
    '_base_/schedules/adamw_lr1e-4.py',
    '_base_/default_runtime.py',
]

model = dict(
    backbone=dict(model_name='resnet10t'),
    class_names=_base_.class_names,
    prompt_pools=_base_.prompt_pools,
)

# From-scratch backbone on CPU: a larger learning rate than the paper's 1e-4
# (which assumes a pretrained CLIP tower) and a short schedule.
max_epochs = 15
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, T_max=max_epochs - 1,
         eta_min_ratio=0.01, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=5)
