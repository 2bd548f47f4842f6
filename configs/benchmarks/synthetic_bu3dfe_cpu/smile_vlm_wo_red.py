# Ablation: CPU SMILE-VLM without L_red (cross-modal redundancy minimisation).
_base_ = ['./smile_vlm.py']
model = dict(losses=dict(red=None))
