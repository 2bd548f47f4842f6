# Self-supervised baseline on BU-3DFE subset I: the SMILE-VLM network (CLIP
# ViT-B/16 image tower) trained with the multi-view Barlow Twins loss only,
# evaluated by linear probe (in the spirit of MiFaR; paper: 88.53%).
_base_ = ['./smile_vlm_bu3dfe_subset1.py']
model = dict(losses=dict(_delete_=True, mv_bt=dict(type='MultiViewBarlowTwinsLoss',
                                                   lambda_offdiag=5e-3, loss_weight=0.01)))
cv_evaluations = ['linear_probe']
