# Built-in synthetic micro-expression clips in a 4DME-like layout
# (make_synthetic.py --layout 4dme: S01/M01/<frame>.obj plus labels.csv with
# Subject, Clip, Onset, Apex, Offset, Emotion), rendered once by
# tools/prepare_data.py into 64 px views; 4dme.py otherwise. The synthetic
# sheet is a csv with its own names of the subject and clip columns.
_base_ = ['./4dme.py']
data_root = 'data/synthetic_4dme'
data_preparation = dict(
    source=dict(data_root=data_root, label_file='labels.csv',
                columns=dict(subject='Subject', clip='Clip')),
    renderer=dict(image_size=64), out_dir='data/cache/synthetic_4dme')
train_dataloader = val_dataloader = test_dataloader = dict(num_workers=1)
