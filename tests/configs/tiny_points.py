# A tiny variant of the point demo for tests: 128 points per view, a narrow
# DGCNN, batch 16, no workers. Tests point the paths at their own data.
_base_ = ['../../configs/smile_vlm_points_dgcnn_synthetic.py']

data_preparation = dict(renderer=dict(num_points=128, ray_grid=32, min_visible=32))
model = dict(backbone=dict(out_dim=64, k=8, channels=(16, 16, 32, 32)),
             projector=dict(hidden_dim=128))
train_dataloader = dict(batch_size=16, num_workers=0, persistent_workers=False)
val_dataloader = dict(batch_size=16, num_workers=0, persistent_workers=False)
test_dataloader = val_dataloader
