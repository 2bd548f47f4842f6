# The CPU benchmark's SMILE-VLM (../synthetic_bu3dfe_cpu/smile_vlm.py) with point views:
# 3 views of 128 visible points (xyz, normal), a narrow DGCNN from scratch.
#   python tools/prepare_data.py configs/benchmarks/synthetic_bu3dfe_cpu_points/smile_vlm_dgcnn.py
#   python tools/cross_validate.py configs/benchmarks/synthetic_bu3dfe_cpu_points/*.py --folds 10
_base_ = ['../synthetic_bu3dfe_cpu/smile_vlm.py', '../../_base_/models/point_views.py']
model = dict(backbone=dict(_delete_=True, **dict(_base_.point_backbone, out_dim=128, k=10,
                                                 channels=(16, 16, 32, 32))),
             **_base_.point_inputs)
data_preparation = dict(
    renderer=dict(_delete_=True, **dict(_base_.point_renderer, num_points=128, ray_grid=48)),
    out_dir='data/cache/synthetic_bu3dfe_30_subset1_points_128')
