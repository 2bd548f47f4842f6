# SMILE-VLM, CPU-sized (timm resnet10t from scratch, 32 px dynamic images,
# MiniLM text encoder, 40 epochs), on synthetic BP4D-layout sequences:
# the CPU variant of configs/smile_vlm_bp4d.py (8 task classes, prompt pools
# of _base_/prompts/bp4d_tasks.py), 10-fold subject-independent CV.
#   python tools/dataset_converters/make_synthetic.py --layout bp4d \
#       --out data/synthetic_bp4d --subjects 20 --frames 30 --workers 2
#   python tools/prepare_data.py configs/benchmarks/synthetic_4d_cpu/smile_vlm_bp4d.py --workers 2
#   python tools/cross_validate.py configs/benchmarks/synthetic_4d_cpu/smile_vlm_bp4d.py --folds 10
_base_ = [
    '../../_base_/benchmarks/synthetic_4d_cpu.py',
    '../../_base_/datasets/synthetic_bp4d.py',
    '../../_base_/prompts/bp4d_tasks.py',
]
data_preparation = dict(renderer=dict(image_size=32),
                        out_dir='data/cache/synthetic_bp4d_32')
train_dataloader = val_dataloader = test_dataloader = dict(
    batch_size=16, num_workers=0, persistent_workers=False)
model = dict(class_names=_base_.class_names, prompt_pools=_base_.prompt_pools)
