# The self-supervised baseline (in the spirit of MiFaR), no text encoder; top configs
# evaluate it by linear probe (cv_evaluations, val/test_evaluator EmbeddingMetric).
_base_ = ['./multi_view_network.py']
model = dict(
    type='BarlowTwinsMultiView',
    losses=dict(mv_bt=dict(type='MultiViewBarlowTwinsLoss', lambda_offdiag=5e-3,
                           loss_weight=0.01)),
    embed_dim=384,  # d of smile_vlm_timm_minilm.py (the MiniLM text size)
)
