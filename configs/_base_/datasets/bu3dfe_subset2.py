# BU-3DFE subset II: the six expressions at all four intensities (no neutral).
_base_ = ['./bu3dfe_subset1.py']
cache_root = 'data/cache/bu3dfe_subset2_224'
data_preparation = dict(source=dict(subset='II'), out_dir=cache_root)
subset2_dataset = dict(ann_file=cache_root + '/annotations.json', intensities=[1, 2, 3, 4])
train_dataloader = dict(dataset=subset2_dataset)
val_dataloader = dict(dataset=subset2_dataset)
test_dataloader = dict(dataset=subset2_dataset)
