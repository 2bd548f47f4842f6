# Built-in synthetic scans in BU-3DFE's layout and format (make_synthetic.py),
# rendered once by tools/prepare_data.py into a cache of views.
# Split: subject-independent, fold 0 of 5 held out; test on intensities 3-4.
_base_ = ['./cached_views.py']
data_root = 'data/synthetic_bu3dfe'
class_names = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise']

data_preparation = dict(
    source=dict(type='BU3DFEScans', data_root=data_root, scan_type='F3D',
                expressions=class_names, intensities=[1, 2, 3, 4]),
    renderer=dict(image_size=64),
    out_dir='data/cache/synthetic_bu3dfe',
)

subject_split = dict(num_folds=5)
train_dataloader = dict(num_workers=1, dataset=dict(
    classes=class_names, intensities=[1, 2, 3, 4], subject_split=dict(num_folds=5)))
val_dataloader = dict(num_workers=1, dataset=dict(
    classes=class_names, intensities=[3, 4], subject_split=dict(num_folds=5)))
test_dataloader = val_dataloader
