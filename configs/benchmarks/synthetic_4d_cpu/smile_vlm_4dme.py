# SMILE-VLM, CPU-sized (timm resnet10t from scratch, 64 px dynamic images,
# MiniLM text encoder, 40 epochs), on synthetic 4DME-layout
# micro-expression clips: the CPU variant of configs/smile_vlm_4dme.py
# (micro-expression prompt pools; F1 and per-class accuracy per view and
# fused, as the paper's Table V). 64 px rather than 32: the synthetic
# micro-expressions are 25-45 % of a posed one.
#   python tools/dataset_converters/make_synthetic.py --layout 4dme \
#       --out data/synthetic_4dme --subjects 20 --clips 10 --frames 30 --workers 2
#   python tools/prepare_data.py configs/benchmarks/synthetic_4d_cpu/smile_vlm_4dme.py --workers 2
#   python tools/cross_validate.py configs/benchmarks/synthetic_4d_cpu/smile_vlm_4dme.py --folds 5
_base_ = [
    '../../_base_/benchmarks/synthetic_4d_cpu.py',
    '../../_base_/datasets/synthetic_4dme.py',
    '../../_base_/prompts/micro_expressions.py',
]
data_preparation = dict(out_dir='data/cache/synthetic_4dme_64')
train_dataloader = val_dataloader = test_dataloader = dict(
    batch_size=16, num_workers=0, persistent_workers=False)
model = dict(class_names=_base_.class_names, prompt_pools=_base_.prompt_pools)
