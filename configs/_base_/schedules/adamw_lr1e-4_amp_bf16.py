# The paper's optimiser (adamw_lr1e-4.py) with bfloat16 automatic mixed
# precision through mmengine's AmpOptimWrapper: the forward pass runs under
# autocast (matrix products and convolutions in bf16), the losses' statistics
# in float32 (smilezoo/models/losses/precision.py), weights and optimizer
# state in float32. AmpOptimWrapper needs a GPU (mmengine asserts it); bf16
# needs no loss scaling, 'dynamic' is mmengine's default and harmless.
# Measured effect: docs/performance.md. Use it from a top config:
#   _base_ = [..., '_base_/schedules/adamw_lr1e-4_amp_bf16.py', ...]
# or on any config: --cfg-options optim_wrapper.type=AmpOptimWrapper optim_wrapper.dtype=bfloat16
_base_ = ['./adamw_lr1e-4.py']
optim_wrapper = dict(type='AmpOptimWrapper', dtype='bfloat16', loss_scale='dynamic')
