# Built-in synthetic scans in Bosphorus's layout and format (make_synthetic.py
# --layout bosphorus), rendered once by tools/prepare_data.py into a cache of
# 64 px views; bosphorus.py otherwise. The subjects who show all six emotions
# (subject_rule='all_six': the synthetic subjects are not the release's; the
# real data's config uses the built-in list of the paper's 65).
_base_ = ['./bosphorus.py']
data_root = 'data/synthetic_bosphorus'
data_preparation = dict(source=dict(data_root=data_root, subject_rule='all_six'),
                        renderer=dict(image_size=64), out_dir='data/cache/synthetic_bosphorus')
train_dataloader = val_dataloader = test_dataloader = dict(num_workers=1)
