# tiny_synthetic.py on BU-4DFE-layout sequences (8 frames sampled per
# sequence, dynamic images; no intensities), for tests.
_base_ = ['./tiny_synthetic.py']
data_preparation = dict(source=dict(_delete_=True, type='BU4DFESequences',
                                    data_root='data/synthetic_bu4dfe',
                                    num_frames_sampled=8, min_frames=4))
loader = dict(batch_size=4, dataset=dict(intensities=None))
train_dataloader = loader
val_dataloader = loader
test_dataloader = loader
