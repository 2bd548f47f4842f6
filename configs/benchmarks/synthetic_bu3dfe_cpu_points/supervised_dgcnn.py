# The point supervised baseline: the same DGCNN, projector and fusion as
# smile_vlm_dgcnn.py, cross-entropy on the labels (../synthetic_bu3dfe_cpu/supervised_ce.py).
_base_ = ['../synthetic_bu3dfe_cpu/supervised_ce.py', '../../_base_/models/point_views.py']
model = dict(backbone=dict(_delete_=True, **dict(_base_.point_backbone, out_dim=128, k=10,
                                                 channels=(16, 16, 32, 32))),
             **_base_.point_inputs)
data_preparation = dict(
    renderer=dict(_delete_=True, **dict(_base_.point_renderer, num_points=128, ray_grid=48)),
    out_dir='data/cache/synthetic_bu3dfe_30_subset1_points_128')
