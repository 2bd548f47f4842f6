# Ablation of the 64 px / 15-epoch suite: SMILE-VLM without L_red (cross-modal
# redundancy minimisation).
_base_ = ['./smile_vlm.py']
model = dict(losses=dict(red=None))
