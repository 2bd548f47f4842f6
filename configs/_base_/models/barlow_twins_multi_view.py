# The self-supervised baseline (in the spirit of MiFaR): SMILE-VLM's network
# trained with the multi-view Barlow Twins loss only, evaluated by linear probe.
# (The text encoder only supplies d and the prompt bank, which no loss uses.)
_base_ = ['./smile_vlm_timm_minilm.py']
model = dict(losses=dict(_delete_=True, mv_bt=dict(type='MultiViewBarlowTwinsLoss',
                                                   lambda_offdiag=5e-3, loss_weight=0.01)))
cv_evaluations = ['linear_probe']
