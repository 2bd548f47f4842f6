# Built-in synthetic 3D video in BU-4DFE's layout and format (make_synthetic.py
# --layout bu4dfe), rendered once by tools/prepare_data.py into a cache of
# 64 px views (each view's frame stack collapsed into one dynamic image,
# smilezoo.datasets.temporal); bu4dfe.py otherwise.
#   python tools/dataset_converters/make_synthetic.py --layout bu4dfe \
#       --out data/synthetic_bu4dfe --subjects 20 --frames 30 --workers 2
_base_ = ['./bu4dfe.py']
data_root = 'data/synthetic_bu4dfe'
data_preparation = dict(source=dict(data_root=data_root), renderer=dict(image_size=64),
                        out_dir='data/cache/synthetic_bu4dfe')
train_dataloader = val_dataloader = test_dataloader = dict(num_workers=1)
