# Built-in synthetic micro-expression clips in a 4DME-like layout
# (make_synthetic.py --layout 4dme: S01/M01/<frame>.obj plus labels.csv with
# Subject, Clip, Onset, Apex, Offset, Emotion), rendered once by
# tools/prepare_data.py: per clip, 16 samples over onset..apex..offset (apex
# always included; frames repeat when the event is shorter), 3 views, one
# dynamic image per view (approximate rank pooling).
# The synthetic sheet is a csv with its own column names (set below); the
# release's workbook and columns are the source's defaults (see 4dme.py).
# Multi-label clips ("negative|positive"): the record keeps
# `labels` (all) and `expression` = the first, the class index used here and
# for the prompt pool in training; the metric counts a prediction among
# `labels` as correct (multi_label='any').
# Protocol: 5 classes, subject-independent 10-fold CV (fold 0 held out).
# Prompt pools: configs/_base_/prompts/micro_expressions.py.
data_root = 'data/synthetic_4dme'
cache_root = 'data/cache/synthetic_4dme'
class_names = ['positive', 'negative', 'surprise', 'repression', 'others']

data_preparation = dict(
    source=dict(type='FourDMESequences', data_root=data_root, label_file='labels.csv',
                columns=dict(subject='Subject', clip='Clip', onset='Onset', apex='Apex',
                             offset='Offset', emotion='Emotion'),
                mesh_pattern='{subject}/{clip}/{frame}.obj', classes=class_names,
                num_frames_sampled=16, sampling='apex', min_frames=8,
                bad_frames='skip', rescale='symmetric', normalise='sequence'),
    renderer=dict(type='MultiViewRenderer', yaws=(-30, 0, 30), image_size=64,
                  modes=('normal',)),
    out_dir=cache_root,
)

subject_split = dict(num_folds=10, fold=0, seed=0)
# 'labels' (all of a clip's labels) travels with each sample for the metric
pipeline = [dict(type='LoadCachedViews'),
            dict(type='PackViewInputs',
                 meta_keys=('gt_label', 'labels', 'subject', 'expression', 'sample_idx',
                            'source_path', 'dataset'))]
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
# Table V of the paper: F1 and per-class accuracy for each view (left, front,
# right, named from renderer.yaws) and the fusion. Multi-label clips: a
# prediction counts as correct if it is any of the clip's labels.
val_evaluator = dict(type='ExpressionMetric', per_view_f1=True, multi_label='any')
test_evaluator = val_evaluator
