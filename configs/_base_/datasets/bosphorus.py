# Bosphorus (Bogazici University, licensed): the six E_* emotions of the 65
# subjects of the paper's protocol (subject_rule='protocol': the built-in list
# bs000-bs104 without bs007, bs010, bs013, bs020, bs047-bs081, bs092;
# 'all_six' instead keeps the subjects with a scan of each emotion), 3 views of
# 224 px normals of the meshed range grids. Point data_root at the release's
# BosphorusDB/ (or its parent), then
#   python tools/prepare_data.py configs/smile_vlm_bosphorus.py --workers 8
# prepare_report.json's `selection` says which rule chose the subjects.
_base_ = ['./synthetic_bosphorus.py']
data_root = 'data/Bosphorus'
cache_root = 'data/cache/bosphorus_224'
data_preparation = dict(source=dict(data_root=data_root, subject_rule='protocol'),
                        renderer=dict(image_size=224),
                        out_dir=cache_root)
bosphorus_loader = dict(num_workers=4, dataset=dict(ann_file=cache_root + '/annotations.json'))
train_dataloader = bosphorus_loader
val_dataloader = bosphorus_loader
test_dataloader = bosphorus_loader
