# Bosphorus (Bogazici University, licensed): the six E_* emotions of the 65
# subjects of the paper's protocol (subject_rule='protocol': the built-in list
# bs000-bs104 without bs007, bs010, bs013, bs020, bs047-bs081, bs092;
# 'all_six' instead keeps the subjects with a scan of each emotion), 3 views of
# 224 px normals of the meshed range grids. Point data_root at the release's
# BosphorusDB/ (or its parent), then
#   python tools/prepare_data.py configs/smile_vlm_bosphorus.py --workers 8
# prepare_report.json's `selection` says which rule chose the subjects.
# Protocol: subject-independent 10-fold CV (fold 0 held out). Bosphorus has no
# intensity levels: intensities=None keeps every scan.
_base_ = ['./cached_views.py']
data_root = 'data/Bosphorus'
class_names = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise']

data_preparation = dict(
    source=dict(type='BosphorusScans', data_root=data_root,
                expressions=class_names, subject_rule='protocol',
                as_mesh=True),
    out_dir='data/cache/bosphorus_224',
)
train_dataloader = val_dataloader = test_dataloader = dict(
    dataset=dict(classes=class_names, intensities=None))
