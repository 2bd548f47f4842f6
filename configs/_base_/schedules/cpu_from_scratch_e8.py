# 8-epoch variant of cpu_from_scratch_e15.py (for many-fold CPU benchmarks).
_base_ = ['./cpu_from_scratch_e15.py']
max_epochs = 8
train_cfg = dict(max_epochs=max_epochs)
