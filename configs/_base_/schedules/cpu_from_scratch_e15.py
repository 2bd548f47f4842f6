# Short CPU schedule for small backbones trained from scratch on synthetic data:
# AdamW lr 1e-3 (the paper's 1e-4 assumes a pretrained CLIP tower), weight
# decay 0.05, 1-epoch warm-up then cosine decay, 15 epochs.
_base_ = ['./adamw_lr1e-4.py']
max_epochs = 15
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, T_max=max_epochs - 1,
         eta_min_ratio=0.01, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=5)
