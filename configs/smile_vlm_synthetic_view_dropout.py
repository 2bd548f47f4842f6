# The main synthetic job trained with view dropout: in every training step each
# of the 3 views is hidden from the fusion with probability 0.3 (at least one
# view of a sample is kept), so the fused model keeps working when a view is
# missing or occluded at test time. Swap the fusion with one key, e.g.
#   python tools/train.py configs/smile_vlm_synthetic_view_dropout.py \
#       --cfg-options model.fusion.type=GatedFusion
# and measure with every view and with each view dropped:
#   python tools/analysis_tools/eval_view_drop.py configs/smile_vlm_synthetic_view_dropout.py \
#       CHECKPOINT --cfg-options model.fusion.type=GatedFusion
_base_ = ['./smile_vlm_synthetic.py']
model = dict(view_dropout=0.3)
