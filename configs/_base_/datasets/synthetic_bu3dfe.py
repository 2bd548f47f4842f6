# Built-in synthetic scans in BU-3DFE's layout and format (make_synthetic.py),
# rendered once by tools/prepare_data.py into a cache of views.
# Split: subject-independent, fold 0 of 5 held out; test on intensities 3-4.
data_root = 'data/synthetic_bu3dfe'
cache_root = 'data/cache/synthetic_bu3dfe'
class_names = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise']

data_preparation = dict(
    source=dict(type='BU3DFEScans', data_root=data_root, scan_type='F3D',
                expressions=class_names, intensities=[1, 2, 3, 4]),
    renderer=dict(type='MultiViewRenderer', yaws=(-30, 0, 30), image_size=64,
                  modes=('normal',)),
    out_dir=cache_root,
)

subject_split = dict(num_folds=5, fold=0, seed=0)
pipeline = [dict(type='LoadCachedViews'), dict(type='PackViewInputs')]
dataset = dict(type='CachedViewDataset', ann_file=cache_root + '/annotations.json',
               classes=class_names, pipeline=pipeline)

train_dataloader = dict(
    batch_size=32, num_workers=1, persistent_workers=True, drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='smilezoo.multiview_collate'),
    dataset=dict(dataset, intensities=[1, 2, 3, 4],
                 subject_split=dict(subject_split, part='train')))
val_dataloader = dict(
    batch_size=32, num_workers=1, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='smilezoo.multiview_collate'),
    dataset=dict(dataset, intensities=[3, 4],
                 subject_split=dict(subject_split, part='test')))
test_dataloader = val_dataloader
val_evaluator = dict(type='ExpressionMetric')
test_evaluator = val_evaluator
