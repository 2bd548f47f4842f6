# A tiny variant of the main job for tests: 32 px views, timm's resnet10t,
# batch 16, no workers. Tests point the paths at their own temporary data.
_base_ = ['../../configs/smile_vlm_synthetic.py']

data_preparation = dict(renderer=dict(image_size=32))
model = dict(projector=dict(hidden_dim=128))
train_dataloader = dict(batch_size=16, num_workers=0, persistent_workers=False)
val_dataloader = dict(batch_size=16, num_workers=0, persistent_workers=False)
test_dataloader = val_dataloader
max_epochs = 4
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True, begin=0, T_max=max_epochs,
                        eta_min_ratio=0.1, convert_to_iter_based=True)]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(logger=dict(interval=1))
