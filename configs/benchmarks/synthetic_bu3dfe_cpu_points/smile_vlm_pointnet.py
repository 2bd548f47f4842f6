# smile_vlm_dgcnn.py with PointNet (shared per-point MLP and max pool, no neighbourhoods):
# the cheapest point backbone, on the same cached point views.
_base_ = ['./smile_vlm_dgcnn.py']
model = dict(backbone=dict(_delete_=True, type='PointNet', in_channels=6, out_dim=256))
