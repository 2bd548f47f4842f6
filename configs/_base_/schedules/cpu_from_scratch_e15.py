# Short CPU schedule for small backbones trained from scratch on synthetic data:
# AdamW lr 1e-3 (the paper's 1e-4 assumes a pretrained CLIP tower), weight
# decay 0.05, 1-epoch warm-up then cosine decay, 15 epochs.
_base_ = ['./adamw_lr1e-4.py']
max_epochs = 15
optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(max_epochs=max_epochs, val_interval=5)
