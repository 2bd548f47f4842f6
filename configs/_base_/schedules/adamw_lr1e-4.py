# The paper's optimiser: Adam(W), initial learning rate 1e-4, with weight decay
# (the paper gives no value: 0.05 here). Cosine decay after a 1-epoch warm-up.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=0.05),
)
max_epochs = 50
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    # no end / T_max: mmengine ends it at train_cfg.max_epochs, so overriding
    # max_epochs keeps the whole decay (a 1-epoch run drops it: smilezoo.engine)
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, eta_min_ratio=0.01,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
# Set to the global batch size the learning rate was tuned for to scale lr with
# the number of GPUs (--auto-scale-lr).
auto_scale_lr = dict(base_batch_size=32, enable=False)
