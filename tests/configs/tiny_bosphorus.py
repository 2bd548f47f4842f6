# tiny_synthetic.py on Bosphorus-layout data (no intensities), for tests.
_base_ = ['./tiny_synthetic.py']
data_preparation = dict(source=dict(_delete_=True, type='BosphorusScans',
                                    data_root='data/synthetic_bosphorus',
                                    require_all_expressions=True, as_mesh=True))
no_intensity = dict(dataset=dict(intensities=None))
train_dataloader = no_intensity
val_dataloader = no_intensity
test_dataloader = no_intensity
