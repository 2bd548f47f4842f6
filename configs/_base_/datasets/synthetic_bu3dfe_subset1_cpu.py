# Synthetic BU-3DFE-layout scans under the subset-I protocol (six expressions,
# intensities 3-4), 30 subjects, 32 px views: the CPU benchmark of
# configs/benchmarks/synthetic_bu3dfe_cpu/ (10-fold CV in under an hour on 2 cores).
#   python tools/dataset_converters/make_synthetic.py --layout bu3dfe \
#       --out data/synthetic_bu3dfe_30 --subjects 30 --seed 0
#   python tools/prepare_data.py configs/benchmarks/synthetic_bu3dfe_cpu/smile_vlm.py
_base_ = ['./bu3dfe_subset1.py']
data_root = 'data/synthetic_bu3dfe_30'
data_preparation = dict(source=dict(data_root=data_root), renderer=dict(image_size=32),
                        out_dir='data/cache/synthetic_bu3dfe_30_subset1_32')
train_dataloader = val_dataloader = test_dataloader = dict(num_workers=0,
                                                           persistent_workers=False)
