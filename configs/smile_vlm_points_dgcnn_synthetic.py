# The main demo (smile_vlm_synthetic.py) with point views, sized for 2 CPU cores:
# each of the 3 views is the visible surface as 128 points (xyz, normal), the
# backbone a narrow DGCNN trained from scratch; augmentation A doubles as the
# clean view (2 backbone passes a step, not 3). Text encoder, losses, fusion,
# split and schedule as the image demo (docs/benchmarks.md has what it reaches).
#   python tools/dataset_converters/make_synthetic.py --layout bu3dfe \
#       --out data/synthetic_bu3dfe --subjects 40 --seed 0
#   python tools/prepare_data.py configs/smile_vlm_points_dgcnn_synthetic.py --workers 2
#   python tools/train.py configs/smile_vlm_points_dgcnn_synthetic.py
_base_ = ['./smile_vlm_synthetic.py', './_base_/models/point_views.py']
model = dict(backbone=dict(_delete_=True, **dict(_base_.point_backbone, out_dim=128, k=10,
                                                 channels=(16, 16, 32, 32))),
             reuse_aug_as_clean=True, **_base_.point_inputs)
data_preparation = dict(
    renderer=dict(_delete_=True, **dict(_base_.point_renderer, num_points=128, ray_grid=48)),
    out_dir='data/cache/synthetic_bu3dfe_points_128')
