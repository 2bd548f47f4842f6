# tiny_synthetic.py on 4DME-layout micro-expression clips: 5 classes (short
# prompt pools here, the real ones are in
# configs/_base_/prompts/micro_expressions.py), 8 samples per clip around the
# apex, all labels of a clip passed to the metric, per-view F1, for tests.
_base_ = ['./tiny_synthetic.py']
class_names = ['positive', 'negative', 'surprise', 'repression', 'others']
# the synthetic sheet is a csv with its own column names (the source's
# defaults are the release's workbook and columns)
data_preparation = dict(source=dict(_delete_=True, type='FourDMESequences',
                                    data_root='data/synthetic_4dme', label_file='labels.csv',
                                    columns=dict(subject='Subject', clip='Clip'),
                                    num_frames_sampled=8, min_frames=4))
model = dict(class_names=class_names,
             prompt_pools=dict(positive=['a face with positive micro expression'],
                               negative=['a face with negative micro expression'],
                               surprise=['a face with surprise micro expression'],
                               repression=['a face with repression micro expression'],
                               others=['a face with others micro expression']))
pipeline = [dict(type='LoadCachedViews'),
            dict(type='PackViewInputs',
                 meta_keys=('gt_label', 'labels', 'subject', 'sample_idx', 'source_path'))]
loader = dict(batch_size=4, dataset=dict(intensities=None, classes=class_names,
                                         pipeline=pipeline))
train_dataloader = loader
val_dataloader = loader
test_dataloader = loader
val_evaluator = dict(per_view_f1=True, multi_label='any')
test_evaluator = val_evaluator
