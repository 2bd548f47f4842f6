# The paper's optimiser (adamw_lr1e-4.py) with bfloat16 automatic mixed
# precision through smilezoo's AnyDeviceAmpOptimWrapper (smilezoo/engine/
# amp_optim_wrapper.py): mmengine's AmpOptimWrapper on a GPU, the same bf16
# autocast on the CPU (where mmengine's wrapper refuses to start). The forward
# pass runs under autocast (matrix products and convolutions in bf16), the
# losses and the fusion weights in float32 (smilezoo/models/losses/precision.py,
# smilezoo/models/fusion), weights and optimizer state in float32. bf16 needs
# no loss scaling: the CPU uses none; on a GPU 'dynamic' is mmengine's default
# and harmless. Measured effect: docs/performance.md. Use it from a top config:
#   _base_ = [..., '_base_/schedules/adamw_lr1e-4_amp_bf16.py', ...]
# or on any config: --amp --cfg-options optim_wrapper.dtype=bfloat16
_base_ = ['./adamw_lr1e-4.py']
optim_wrapper = dict(type='AnyDeviceAmpOptimWrapper', dtype='bfloat16', loss_scale='dynamic')
