# SMILE-VLM with a timm backbone and the offline sentence-transformers text
# encoder (all-MiniLM-L6-v2, d = 384). The paper's CLIP set-up is in
# smile_vlm_clip_vit_b16.py. A top config fills in class_names and prompt_pools.
# The network (backbone, projector, fusion) is multi_view_network.py.
_base_ = ['./multi_view_network.py']
model = dict(
    type='SmileVLM',
    text_encoder=dict(type='SentenceTransformerTextEncoder',
                      model='packaged:all-MiniLM-L6-v2'),
    head=dict(type='ZeroShotHead', logit_scale=10.0),
    losses=dict(
        # alpha, beta, gamma of eq. 10 are the loss_weight of each.
        mv_bt=dict(type='MultiViewBarlowTwinsLoss', lambda_offdiag=5e-3, loss_weight=0.01),
        vl=dict(type='MultiViewInfoNCELoss', temperature=0.1, loss_weight=1.0,
                false_negatives='same_pool'),
        red=dict(type='CrossModalRedundancyLoss', lambda_offdiag=5e-3, loss_weight=0.01),
    ),
    # class_names=[...] and prompt_pools=dict(...) come from the top config.
)
