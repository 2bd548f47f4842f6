# The self-supervised baseline (in the spirit of MiFaR): SMILE-VLM's backbone,
# projector and view fusion trained with the multi-view Barlow Twins loss only;
# no text encoder. A top config evaluates it by linear probe (cv_evaluations =
# ['linear_probe'], val/test_evaluator = dict(type='EmbeddingMetric')).
_base_ = ['./multi_view_network.py']
model = dict(
    type='BarlowTwinsMultiView',
    losses=dict(mv_bt=dict(type='MultiViewBarlowTwinsLoss', lambda_offdiag=5e-3,
                           loss_weight=0.01)),
    embed_dim=384,  # d of smile_vlm_timm_minilm.py (the MiniLM text size)
)
