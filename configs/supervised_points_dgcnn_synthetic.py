# The point supervised baseline on the main demo's data and split: the DGCNN,
# projector and fusion of smile_vlm_points_dgcnn_synthetic.py with a linear
# classifier, cross-entropy on the labels, the same 256-point views and schedule.
#   python tools/prepare_data.py configs/supervised_points_dgcnn_synthetic.py
#   python tools/train.py configs/supervised_points_dgcnn_synthetic.py
_base_ = [
    '_base_/models/supervised_multi_view.py',
    '_base_/datasets/synthetic_bu3dfe.py',
    '_base_/schedules/cpu_from_scratch_e15.py',
    '_base_/default_runtime.py',
    '_base_/models/point_views.py',
]
model = dict(backbone=dict(_delete_=True, **dict(_base_.point_backbone, out_dim=256, k=10,
                                                 channels=(16, 16, 32, 32))),
             num_classes=len(_base_.class_names), **_base_.point_inputs)
data_preparation = dict(
    renderer=dict(_delete_=True, **dict(_base_.point_renderer, num_points=256, ray_grid=64)),
    out_dir='data/cache/synthetic_bu3dfe_points_256')
val_evaluator = dict(type='ExpressionMetric', method='classifier')
test_evaluator = val_evaluator
train_cfg = dict(max_epochs=20)  # as the SMILE-VLM point demo
