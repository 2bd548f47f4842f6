# Ablation (paper Fig. 2): SMILE-VLM on BU-3DFE subset I without L_red (cross-modal
# redundancy minimisation).
_base_ = ['./smile_vlm_bu3dfe_subset1.py']
model = dict(losses=dict(red=None))
