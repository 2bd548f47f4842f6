# smile_vlm.py (32 px, 10 epochs) trained with view dropout 0.3; the fusion is
# one key: --cfg-options model.fusion.type=MeanFusion|MaxFusion|GatedFusion|
# CrossViewTransformerFusion (default ViewAttentionFusion). Measured with
# tools/analysis_tools/eval_view_drop.py (every view, then each view dropped).
_base_ = ['./smile_vlm.py']
model = dict(view_dropout=0.3)
