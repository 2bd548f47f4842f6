# Point views instead of images: add this file to a config's _base_ list and set
#   model = _base_.point_model
#   data_preparation = dict(renderer=_base_.point_renderer, out_dir='data/cache/<name>_points')
# (mmengine refuses one key in two sibling bases, so the switch names these
# variables instead of the keys model / data_preparation). The renderer
# (PointViewRenderer) writes (N, P, 6) float16 views (xyz in each view's camera
# frame, unit normals; docs/datasets.md "Point views"); the preprocessor and the
# augment take them as (B, N, P, 6) float32; the backbone is a point network
# (DGCNN, PointNet, PointMLPElite: docs/model_zoo.md). Its out_dim is the
# projector's input; ViewAttentionFusion, the losses and the heads are unchanged.
point_renderer = dict(_delete_=True, type='PointViewRenderer', yaws=(-30, 0, 30),
                      num_points=1024, sampling='fps', ray_grid=96)
point_backbone = dict(_delete_=True, type='DGCNN', in_channels=6, out_dim=1024, k=20)
point_model = dict(
    backbone=point_backbone,
    data_preprocessor=dict(_delete_=True, type='PointViewDataPreprocessor', in_channels=6),
    augment=dict(_delete_=True, type='BatchPointAugment'),
)
