# The paper's BU-4DFE protocol (smile_vlm_bu4dfe.py) with point views. A sequence's
# point view (PoolPointFrames, docs/datasets.md "Point views"): per view, the last
# sampled frame's 1024 visible points with their displacement from the first
# sampled frame, so 9 channels (xyz, normal, displacement).
_base_ = ['./smile_vlm_bu4dfe.py', './_base_/models/point_views.py']
model = dict(backbone=dict(_delete_=True, **dict(_base_.point_backbone, in_channels=9)),
             projector=dict(residual=False), data_preprocessor=dict(
                 type='PointViewDataPreprocessor', in_channels=9),
             augment=dict(type='BatchPointAugment'))
data_preparation = dict(renderer=dict(_delete_=True, **_base_.point_renderer),
                        out_dir='data/cache/bu4dfe_points_1024')
cpu_variant = None
