# The paper's SMILE-VLM: CLIP ViT-B/16 image tower (trained) and frozen CLIP
# text tower, d = 512. Weights: an open_clip tag (needs the network) or a local
# checkpoint path, e.g. --cfg-options model.backbone.pretrained=/path/open_clip_model.safetensors
# model.text_encoder.pretrained=/path/open_clip_model.safetensors
_base_ = ['./smile_vlm_timm_minilm.py']
model = dict(
    backbone=dict(_delete_=True, type='VisionBackbone', model_name='open_clip/ViT-B-16',
                  pretrained='openai'),
    # residual: g_v(x) = x + MLP(x), last layer zero at init: g_v starts as the identity,
    # so at step 0 the image embedding is CLIP's own and zero-shot scores are CLIP's
    # (tests/test_projector_identity.py). residual=False: a random MLP (CLIP's joint
    # space lost at step 0).
    projector=dict(hidden_dim=2048, residual=True),
    text_encoder=dict(_delete_=True, type='OpenCLIPTextEncoder', model_name='ViT-B-16',
                      pretrained='openai'),
    head=dict(logit_scale=100.0),
)
