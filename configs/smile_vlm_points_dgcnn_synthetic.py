# The main demo (smile_vlm_synthetic.py) with point views, sized for 2 CPU cores:
# each of the 3 views is the visible surface as 256 points (xyz, normal; farthest
# point samples of a 64 x 64 ray grid's hits), the backbone a narrow DGCNN
# trained from scratch; augmentation A doubles as the clean view (2 backbone
# passes a step, not 3). Text encoder, losses, fusion and split as the image
# demo, 20 epochs instead of 15 (docs/benchmarks.md, "Point views on the main
# demo's data": 85.4% zero-shot in 17 min on one core).
#   python tools/dataset_converters/make_synthetic.py --layout bu3dfe \
#       --out data/synthetic_bu3dfe --subjects 40 --seed 0
#   python tools/prepare_data.py configs/smile_vlm_points_dgcnn_synthetic.py --workers 2
#   python tools/train.py configs/smile_vlm_points_dgcnn_synthetic.py
_base_ = ['./smile_vlm_synthetic.py', './_base_/models/point_views.py']
model = dict(backbone=dict(_delete_=True, **dict(_base_.point_backbone, out_dim=256, k=10,
                                                 channels=(16, 16, 32, 32))),
             reuse_aug_as_clean=True, **_base_.point_inputs)
data_preparation = dict(
    renderer=dict(_delete_=True, **dict(_base_.point_renderer, num_points=256, ray_grid=64)),
    out_dir='data/cache/synthetic_bu3dfe_points_256')
train_cfg = dict(max_epochs=20)  # the cosine decay ends there (no T_max in the schedule)
