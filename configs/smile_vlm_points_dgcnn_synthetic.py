# The main demo (smile_vlm_synthetic.py) with point views: each of the 3 views is
# the visible surface as 512 points (xyz, normal) and the backbone a small DGCNN
# trained from scratch; text encoder, losses, fusion, split and schedule as the
# image demo.
#   python tools/dataset_converters/make_synthetic.py --layout bu3dfe \
#       --out data/synthetic_bu3dfe --subjects 40 --seed 0
#   python tools/prepare_data.py configs/smile_vlm_points_dgcnn_synthetic.py --workers 2
#   python tools/train.py configs/smile_vlm_points_dgcnn_synthetic.py
_base_ = ['./smile_vlm_synthetic.py', './_base_/models/point_views.py']
model = _base_.point_model
model.update(backbone=dict(_base_.point_backbone, out_dim=256, k=16,
                           channels=(32, 32, 64, 128)))
data_preparation = dict(renderer=dict(_base_.point_renderer, num_points=512, ray_grid=64),
                        out_dir='data/cache/synthetic_bu3dfe_points')
