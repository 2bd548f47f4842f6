# The paper's Bosphorus protocol (smile_vlm_bosphorus.py) with point views: 3 views of
# 1024 visible points (the range grids as bare point clouds unless the source's
# as_mesh), DGCNN (k 20) from scratch, CLIP's text tower, a plain MLP projector.
_base_ = ['./smile_vlm_bosphorus.py', './_base_/models/point_views.py']
model = dict(backbone=dict(_delete_=True, **_base_.point_backbone),
             projector=dict(residual=False), **_base_.point_inputs)
data_preparation = dict(renderer=dict(_delete_=True, **_base_.point_renderer),
                        out_dir='data/cache/bosphorus_points_1024')
cpu_variant = None
