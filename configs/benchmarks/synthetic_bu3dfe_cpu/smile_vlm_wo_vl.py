# Ablation: CPU SMILE-VLM without L_vl (vision-language InfoNCE): zero-shot has no text
# alignment left.
_base_ = ['./smile_vlm.py']
model = dict(losses=dict(vl=None))
