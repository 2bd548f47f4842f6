# What every data-set base shares: 3 views (yaw -30/0/+30) of 224 px surface
# normals rendered into the cache data_preparation.out_dir, and the three
# dataloaders that read it (each dataset's ann_file is filled in from out_dir
# when the config is loaded, see docs/configs.md "The view cache"), subject-
# independent 10-fold CV with fold 0 held out for val/test. A data-set base
# adds its source and cache, and its loaders' classes and intensities.
data_preparation = dict(renderer=dict(type='MultiViewRenderer', yaws=(-30, 0, 30),
                                      image_size=224, modes=('normal',)))
subject_split = dict(num_folds=10, fold=0, seed=0)
pipeline = [dict(type='LoadCachedViews'), dict(type='PackViewInputs')]
train_dataloader = dict(
    batch_size=32, num_workers=4, persistent_workers=True, drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='smilezoo.multiview_collate'),
    dataset=dict(type='CachedViewDataset', pipeline=pipeline,
                 subject_split=dict(subject_split, part='train')))
val_dataloader = dict(
    batch_size=32, num_workers=4, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='smilezoo.multiview_collate'),
    dataset=dict(type='CachedViewDataset', pipeline=pipeline,
                 subject_split=dict(subject_split, part='test')))
test_dataloader = val_dataloader
val_evaluator = dict(type='ExpressionMetric')
test_evaluator = val_evaluator
