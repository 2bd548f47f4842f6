# 4DME (Li et al., TAC 2022; licensed by its authors): micro-expression clips
# listed in the release's label workbook with their per-frame meshes, 5 classes
# (positive, negative, surprise, repression, others). Per clip 16 samples over
# onset..apex..offset (apex always included; frames repeat when the event is
# shorter), 3 views (yaw -30/0/+30: left, front, right) of 224 px normals, one
# dynamic image per view (approximate rank pooling). Put your copy at data/4DME
# with the workbook '4DME_Labelling_Micro_release v1.xlsx' in it (read directly;
# columns sub_ID, fold_name, Onset, Apex, Offset, Emotion). How the release
# stores the 4D meshes is not confirmed: set data_preparation.source.mesh_pattern
# to your copy's layout (default '{subject}/{clip}/{frame}.obj'). Then
#   python tools/prepare_data.py configs/smile_vlm_4dme.py --workers 8
# Multi-label clips ("negative|positive": the Emotion cell, then the Positive ...
# Others flag columns) keep `labels` (all) and `expression` = the first, the class
# used in training and for the prompt pool. Prompt pools:
# configs/_base_/prompts/micro_expressions.py. Protocol: subject-independent
# 10-fold CV (fold 0 held out), F1 and per-class accuracy per view and fused (the
# paper's Table V).
_base_ = ['./cached_views.py']
data_root = 'data/4DME'
class_names = ['positive', 'negative', 'surprise', 'repression', 'others']

data_preparation = dict(
    source=dict(type='FourDMESequences', data_root=data_root,
                label_file='4DME_Labelling_Micro_release v1.xlsx',
                columns=dict(subject='sub_ID', clip='fold_name', onset='Onset', apex='Apex',
                             offset='Offset', emotion='Emotion'),
                label_columns=dict(positive='Positive', negative='Negative',
                                   surprise='Surprise', repression='Repression',
                                   others='Others'),
                mesh_pattern='{subject}/{clip}/{frame}.obj', classes=class_names,
                num_frames_sampled=16, sampling='apex', min_frames=8,
                bad_frames='skip', rescale='symmetric', normalise='sequence'),
    out_dir='data/cache/4dme_224',
)
# 'labels' (all of a clip's labels) travels with each sample for the metric
pipeline = [dict(type='LoadCachedViews'),
            dict(type='PackViewInputs',
                 meta_keys=('gt_label', 'labels', 'subject', 'expression', 'sample_idx',
                            'source_path', 'dataset'))]
train_dataloader = val_dataloader = test_dataloader = dict(
    dataset=dict(classes=class_names, intensities=None, pipeline=pipeline))
# Table V: F1 per view (named from renderer.yaws) and fused; a multi-label clip's
# prediction counts as correct if it is any of its labels.
val_evaluator = dict(per_view_f1=True, multi_label='any')
test_evaluator = val_evaluator
