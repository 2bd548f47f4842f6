# BU-3DFE subset I: the six expressions at the two highest intensities (03, 04),
# F3D scans (the cropped faces: no face_crop), 3 views (yaw -30/0/+30) of
# 224 px surface normals. The RAW scans: bu3dfe_subset1_raw.py.
# Put your licensed copy (folders F0001/, M0001/, ...) at data/BU-3DFE, then
#   python tools/prepare_data.py CONFIG --workers 8
# Protocol: 10-fold subject-independent CV (tools/cross_validate.py --folds 10).
# To restrict to a subject list (e.g. the common 60), set
# data_preparation.source.subjects=[...].
data_root = 'data/BU-3DFE'
cache_root = 'data/cache/bu3dfe_subset1_224'
class_names = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise']
intensities = [3, 4]

data_preparation = dict(
    source=dict(type='BU3DFEScans', data_root=data_root, scan_type='F3D', subset='I'),
    renderer=dict(type='MultiViewRenderer', yaws=(-30, 0, 30), image_size=224,
                  modes=('normal',)),  # no face_crop (the default): F3D is cropped
    out_dir=cache_root,
)

subject_split = dict(num_folds=10, fold=0, seed=0)
pipeline = [dict(type='LoadCachedViews'), dict(type='PackViewInputs')]
dataset = dict(type='CachedViewDataset', ann_file=cache_root + '/annotations.json',
               classes=class_names, intensities=intensities, pipeline=pipeline)

train_dataloader = dict(
    batch_size=32, num_workers=4, persistent_workers=True, drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='smilezoo.multiview_collate'),
    dataset=dict(dataset, subject_split=dict(subject_split, part='train')))
val_dataloader = dict(
    batch_size=32, num_workers=4, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='smilezoo.multiview_collate'),
    dataset=dict(dataset, subject_split=dict(subject_split, part='test')))
test_dataloader = val_dataloader
val_evaluator = dict(type='ExpressionMetric')
test_evaluator = val_evaluator
