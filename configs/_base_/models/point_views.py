# Point views instead of images. mmengine refuses one key in two sibling bases,
# so a point config adds this file to its _base_ list and names its variables:
#   model = dict(backbone=dict(_delete_=True, **_base_.point_backbone),
#                **_base_.point_inputs)
#   data_preparation = dict(renderer=dict(_delete_=True, **_base_.point_renderer),
#                           out_dir='data/cache/<name>_points')
# The renderer (PointViewRenderer) writes (N, P, 6) float16 views (xyz in each
# view's camera frame, unit normals; docs/datasets.md "Point views"); the
# preprocessor and the augment take them as (B, N, P, 6) float32; the backbone
# is a point network (DGCNN, PointNet, PointMLPElite: docs/model_zoo.md) whose
# out_dim is the projector's input; fusion, losses and heads are unchanged.
point_renderer = dict(type='PointViewRenderer', yaws=(-30, 0, 30), num_points=1024,
                      sampling='fps', ray_grid=96)
point_backbone = dict(type='DGCNN', in_channels=6, out_dim=1024, k=20)
point_inputs = dict(data_preprocessor=dict(type='PointViewDataPreprocessor', in_channels=6),
                    augment=dict(type='BatchPointAugment'))
