# Built-in synthetic 3D video in BP4D-Spontaneous's release layout
# (make_synthetic.py --layout bp4d: Sequences(2D+3D)/F001/T1/0000.obj .mtl .jpg,
# AUCoding/AU_OCC/F001_T1.csv), rendered once by tools/prepare_data.py into
# 64 px views; bp4d.py otherwise. The synthetic faces are cropped already:
# no face_crop here.
_base_ = ['./bp4d.py']
data_root = 'data/synthetic_bp4d'
data_preparation = dict(source=dict(data_root=data_root),
                        renderer=dict(image_size=64, face_crop=None),
                        out_dir='data/cache/synthetic_bp4d')
train_dataloader = val_dataloader = test_dataloader = dict(num_workers=1)
