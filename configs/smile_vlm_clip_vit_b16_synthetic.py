# The paper's SMILE-VLM (CLIP ViT-B/16 image tower, trained; frozen CLIP ViT-B/16
# text tower; AdamW lr 1e-4) on the built-in synthetic BU-3DFE-layout scans: a
# check of the CLIP set-up before licensed data are at hand. Needs the OpenAI
# CLIP weights: with network they are downloaded (open_clip tag 'openai');
# offline, pass a local file of them (QuickGELU, as OpenAI trained them):
#   python tools/train.py configs/smile_vlm_clip_vit_b16_synthetic.py --cfg-options \
#       model.backbone.pretrained=/path/open_clip_model.safetensors model.backbone.quick_gelu=True \
#       model.text_encoder.pretrained=/path/open_clip_model.safetensors \
#       model.text_encoder.quick_gelu=True
# Views are rendered at 64 px and resized to 224 px inside the backbone; meant
# for a GPU (a CPU step of batch 32 x 3 views x 3 passes takes minutes).
_base_ = [
    '_base_/models/smile_vlm_clip_vit_b16.py',
    '_base_/datasets/synthetic_bu3dfe.py',
    '_base_/prompts/basic_emotions.py',
    '_base_/schedules/adamw_lr1e-4.py',
    '_base_/default_runtime.py',
]
model = dict(class_names=_base_.class_names, prompt_pools=_base_.prompt_pools)
max_epochs = 15
train_cfg = dict(max_epochs=max_epochs, val_interval=5)
