# BU-3DFE subset II: the six expressions at all four intensities (no neutral).
_base_ = ['./bu3dfe_subset1.py']
data_preparation = dict(source=dict(subset='II'), out_dir='data/cache/bu3dfe_subset2_224')
train_dataloader = val_dataloader = test_dataloader = dict(dataset=dict(intensities=[1, 2, 3, 4]))
