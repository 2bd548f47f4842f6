# The strictly self-supervised variant of the main synthetic job: no
# ground-truth category is read in training. A sample's prompt is drawn from the
# pool of its own zero-shot guess (the class prototype nearest to its current
# fused embedding, refreshed at every step; the guesses of a batch are
# equal-partitioned over classes so they cannot collapse onto one). Other modes:
#   --cfg-options model.prompt_selection=cluster   (k-means of the fused embeddings,
#                                                  clusters matched to prototypes)
#   --cfg-options model.prompt_selection=label     (the paper: the sample's category)
# Labels are still read at test time, to score the zero-shot predictions.
#   python tools/train.py configs/smile_vlm_synthetic_label_free.py
_base_ = ['./smile_vlm_synthetic.py']
model = dict(
    prompt_selection='zero_shot_pseudo',
    pseudo_label=dict(balance=True, sinkhorn_eps=0.05),
)
