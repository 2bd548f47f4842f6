# The paper's BU-3DFE subset-I protocol (smile_vlm_bu3dfe_subset1.py) with point views:
# 3 views of 1024 visible points (xyz, normal), DGCNN (k 20) from scratch, CLIP's text
# tower. The projector is a plain MLP (no CLIP image space to start from).
_base_ = ['./smile_vlm_bu3dfe_subset1.py', './_base_/models/point_views.py']
model = dict(backbone=dict(_delete_=True, **_base_.point_backbone),
             projector=dict(residual=False), **_base_.point_inputs)
data_preparation = dict(renderer=dict(_delete_=True, **_base_.point_renderer),
                        out_dir='data/cache/bu3dfe_subset1_points_1024')
cpu_variant = 'configs/benchmarks/synthetic_bu3dfe_cpu_points/smile_vlm_dgcnn.py'
