# Ablation: CPU SMILE-VLM without L_mv-bt (multi-view Barlow Twins).
_base_ = ['./smile_vlm.py']
model = dict(losses=dict(mv_bt=None))
