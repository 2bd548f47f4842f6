# Benchmark suite that can order models (issue 15, part 6): the main demo's
# settings (configs/smile_vlm_synthetic.py: timm resnet10t from scratch, 64 px
# normals, 3 views, MiniLM text encoder, 15 epochs, separate clean view; train
# on all intensities, test on intensities 3-4) under subject-independent
# cross-validation over its 40 synthetic subjects. Five models: this one, the
# three ablations and the supervised baseline. Estimated (from the demo's
# ~27 s/epoch alone on 2 cores) at about 80-90 min for 3 folds in float32;
# measured ~41 s/epoch a fold (27 training subjects), so every model here trains
# in bf16 autocast (losses in float32) with channels-last weights, the two
# options of docs/performance.md that together make a step about 2x faster.
#   python tools/dataset_converters/make_synthetic.py --layout bu3dfe \
#       --out data/synthetic_bu3dfe --subjects 40 --seed 0
#   python tools/prepare_data.py configs/benchmarks/synthetic_bu3dfe_64px_e15/smile_vlm.py \
#       --workers 2
#   OMP_NUM_THREADS=2 python tools/cross_validate.py \
#       configs/benchmarks/synthetic_bu3dfe_64px_e15/*.py --folds 3 \
#       --work-dir work_dirs/cv_synthetic_bu3dfe_64px_e15
_base_ = ['../../smile_vlm_synthetic.py']
model = dict(backbone=dict(channels_last=True))
optim_wrapper = dict(type='AnyDeviceAmpOptimWrapper', dtype='bfloat16')
default_hooks = dict(logger=dict(interval=50))
cv_evaluations = ['zero_shot', 'linear_probe']
