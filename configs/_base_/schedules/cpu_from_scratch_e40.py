# 40-epoch variant of cpu_from_scratch_e15.py, for the small 4D CPU benchmarks
# (a few hundred sequences: 15 epochs are too few steps; measured in
# docs/benchmarks.md).
_base_ = ['./cpu_from_scratch_e15.py']
max_epochs = 40
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, T_max=max_epochs - 1,
         eta_min_ratio=0.01, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=10)
