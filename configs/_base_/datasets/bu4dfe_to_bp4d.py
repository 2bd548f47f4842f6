# Cross-data-set protocol: train on every BU-4DFE sequence (6 classes, the
# cache written by configs/smile_vlm_bu4dfe.py), test on BP4D-Spontaneous
# tasks T1 (happy) and T8 (disgust) of every subject. data_preparation
# renders the BP4D test set (T1 and T8 only, same sampling and views as
# BU-4DFE) into its own cache. No cross-validation: train once, test once.
_base_ = ['./bp4d.py']
class_names = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise']
bu4dfe_ann = 'data/cache/bu4dfe_224/annotations.json'  # another config's cache
data_preparation = dict(source=dict(tasks=['T1', 'T8']),
                        out_dir='data/cache/bp4d_t1_t8_224')
train_dataloader = dict(dataset=dict(ann_file=bu4dfe_ann, classes=class_names,
                                     subject_split=None))
val_dataloader = dict(dataset=dict(classes=class_names, subject_split=None))
test_dataloader = val_dataloader
