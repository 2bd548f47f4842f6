# Self-supervised baseline: multi-view Barlow Twins only, linear probe.
_base_ = ['./smile_vlm.py']
model = dict(losses=dict(_delete_=True, mv_bt=dict(type='MultiViewBarlowTwinsLoss',
                                                   lambda_offdiag=5e-3, loss_weight=0.01)))
cv_evaluations = ['linear_probe']
