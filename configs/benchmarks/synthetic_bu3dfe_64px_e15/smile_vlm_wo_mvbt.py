# Ablation of the 64 px / 15-epoch suite: SMILE-VLM without L_mv-bt (multi-view Barlow Twins).
_base_ = ['./smile_vlm.py']
model = dict(losses=dict(mv_bt=None))
