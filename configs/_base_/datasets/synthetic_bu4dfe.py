# Built-in synthetic 3D video in BU-4DFE's layout and format (make_synthetic.py
# --layout bu4dfe), rendered once by tools/prepare_data.py into a cache of
# views: per sequence, 16 frames sampled uniformly, each rendered to 3 views,
# each view's frame stack collapsed into one dynamic image (approximate rank
# pooling, smilezoo.datasets.temporal). The real data: point data_root at the
# folder holding F001/, M001/, ... (other top-level folders are ignored).
# Protocol: 6 expressions, subject-independent 10-fold CV (fold 0 held out).
# No intensity levels: intensities=None keeps every sequence.
#   python tools/dataset_converters/make_synthetic.py --layout bu4dfe \
#       --out data/synthetic_bu4dfe --subjects 20 --frames 30 --workers 2
data_root = 'data/synthetic_bu4dfe'
cache_root = 'data/cache/synthetic_bu4dfe'
class_names = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise']

data_preparation = dict(
    source=dict(type='BU4DFESequences', data_root=data_root, expressions=class_names,
                # sampling / pooling (SequenceSource): k frames over the whole
                # sequence; a sequence needs min(min_frames, k) readable frames;
                # unreadable frames are skipped and listed in the report
                num_frames_sampled=16, sampling='uniform', min_frames=8,
                bad_frames='skip', rescale='symmetric', normalise='sequence'),
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
