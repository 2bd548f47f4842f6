# BU-3DFE subset I: the six expressions at the two highest intensities (03, 04),
# F3D scans (the cropped faces: no face_crop), 3 views (yaw -30/0/+30) of
# 224 px surface normals. The RAW scans: bu3dfe_subset1_raw.py.
# Put your licensed copy (folders F0001/, M0001/, ...) at data/BU-3DFE, then
#   python tools/prepare_data.py CONFIG --workers 8
# Protocol: 10-fold subject-independent CV (tools/cross_validate.py --folds 10).
# To restrict to a subject list (e.g. the common 60), set
# data_preparation.source.subjects=[...].
_base_ = ['./cached_views.py']
data_root = 'data/BU-3DFE'
class_names = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise']
intensities = [3, 4]

data_preparation = dict(
    source=dict(type='BU3DFEScans', data_root=data_root, scan_type='F3D', subset='I'),
    out_dir='data/cache/bu3dfe_subset1_224',
)
train_dataloader = val_dataloader = test_dataloader = dict(
    dataset=dict(classes=class_names, intensities=intensities))
