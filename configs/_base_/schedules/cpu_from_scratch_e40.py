# 40-epoch variant of cpu_from_scratch_e15.py, for the small 4D CPU benchmarks
# (a few hundred sequences: 15 epochs are too few steps; measured in
# docs/benchmarks.md).
_base_ = ['./cpu_from_scratch_e15.py']
max_epochs = 40
train_cfg = dict(max_epochs=max_epochs, val_interval=10)
