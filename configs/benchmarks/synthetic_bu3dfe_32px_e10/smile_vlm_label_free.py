# smile_vlm.py (32 px, 10 epochs) with label-free prompt selection: the prompt
# pool of a sample is its fused embedding's nearest class prototype (refreshed
# every step, equal-partitioned over the batch); no ground-truth category is
# read in training. --cfg-options model.prompt_selection=cluster for k-means.
_base_ = ['./smile_vlm.py']
model = dict(prompt_selection='zero_shot_pseudo')
