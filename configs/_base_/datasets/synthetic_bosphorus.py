# Built-in synthetic scans in Bosphorus's layout and format (make_synthetic.py
# --layout bosphorus), rendered once by tools/prepare_data.py into a cache of
# views. The real data: point data_root at the folder holding bs000/ ... (or
# at the parent of BosphorusDB/).
# Protocol here: the six E_* emotions of the subjects who show all six
# (subject_rule='all_six': the synthetic subjects are not the release's; the
# real data's config, bosphorus.py, uses the built-in list of the paper's 65),
# subject-independent 10-fold CV (fold 0 held out). Bosphorus has no
# intensity levels: intensities=None keeps every scan.
data_root = 'data/synthetic_bosphorus'
cache_root = 'data/cache/synthetic_bosphorus'
class_names = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise']

data_preparation = dict(
    source=dict(type='BosphorusScans', data_root=data_root,
                expressions=class_names, subject_rule='all_six',
                as_mesh=True),
    renderer=dict(type='MultiViewRenderer', yaws=(-30, 0, 30), image_size=64,
                  modes=('normal',)),
    out_dir=cache_root,
)

subject_split = dict(num_folds=10, fold=0, seed=0)
pipeline = [dict(type='LoadCachedViews'), dict(type='PackViewInputs')]
dataset = dict(type='CachedViewDataset', ann_file=cache_root + '/annotations.json',
               classes=class_names, pipeline=pipeline)

train_dataloader = dict(
    batch_size=32, num_workers=1, persistent_workers=True, drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='smilezoo.multiview_collate'),
    dataset=dict(dataset, intensities=None,
                 subject_split=dict(subject_split, part='train')))
val_dataloader = dict(
    batch_size=32, num_workers=1, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='smilezoo.multiview_collate'),
    dataset=dict(dataset, intensities=None,
                 subject_split=dict(subject_split, part='test')))
test_dataloader = val_dataloader
val_evaluator = dict(type='ExpressionMetric')
test_evaluator = val_evaluator
