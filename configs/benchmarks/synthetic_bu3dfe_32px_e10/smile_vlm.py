# Quick CPU setting for comparisons (fusion heads, view dropout, label-free
# prompt selection): the main synthetic job (configs/smile_vlm_synthetic.py:
# resnet10t from scratch, MiniLM text encoder, 32 train / 8 held-out subjects,
# test on intensities 3-4) with its views re-rendered at 32 px into their own
# cache, and 10 epochs.
#   python tools/prepare_data.py configs/benchmarks/synthetic_bu3dfe_32px_e10/smile_vlm.py \
#       --workers 2
#   python tools/train.py configs/benchmarks/synthetic_bu3dfe_32px_e10/smile_vlm.py
#   python tools/analysis_tools/eval_view_drop.py \
#       configs/benchmarks/synthetic_bu3dfe_32px_e10/smile_vlm.py \
#       work_dirs/smile_vlm/epoch_10.pth
_base_ = ['../../smile_vlm_synthetic.py']

data_preparation = dict(renderer=dict(image_size=32),
                        out_dir='data/cache/synthetic_bu3dfe_32px')

max_epochs = 10
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
