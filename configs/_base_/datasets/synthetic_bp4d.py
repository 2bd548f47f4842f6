# Built-in synthetic 3D video in BP4D-Spontaneous's release layout
# (make_synthetic.py --layout bp4d: Sequences(2D+3D)/F001/T1/0000.obj .mtl .jpg,
# AUCoding/AU_OCC/F001_T1.csv), rendered once by
# tools/prepare_data.py: per sequence, 16 frames sampled uniformly, 3 views,
# one dynamic image per view (approximate rank pooling).
# Tasks -> elicited emotions (task_to_class, editable): T1 happy, T2 sad,
# T3 surprise, T4 embarrassment, T5 fear, T6 pain, T7 angry, T8 disgust.
# path_regex (named groups subject, task, frame) is matched below
# Sequences(2D+3D)/ when data_root holds it. The synthetic faces are cropped
# already: no face_crop here (bp4d.py turns it on for the real frames).
# For the cross-data-set protocol (train on BU-4DFE,
# test on BP4D T1 and T8) set tasks=['T1', 'T8'].
# Protocol: subject-independent 10-fold CV (fold 0 held out); no intensities.
# Prompt pools for every class here: configs/_base_/prompts/bp4d_tasks.py.
data_root = 'data/synthetic_bp4d'
cache_root = 'data/cache/synthetic_bp4d'
task_to_class = dict(T1='happy', T2='sad', T3='surprise', T4='embarrassment',
                     T5='fear', T6='pain', T7='angry', T8='disgust')
class_names = ['happy', 'sad', 'surprise', 'embarrassment', 'fear', 'pain', 'angry',
               'disgust']

data_preparation = dict(
    source=dict(type='BP4DSequences', data_root=data_root,
                path_regex=r'(?P<subject>[FM]\d{3})/(?P<task>T\d+)/(?P<frame>\d{4})\.obj',
                task_to_class=task_to_class, tasks=None,
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
