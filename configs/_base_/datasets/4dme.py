# 4DME (Li et al., TAC 2022; licensed by its authors): micro-expression clips
# listed in the release's label workbook with their per-frame meshes, 5 classes
# (positive, negative, surprise, repression, others; multi-label clips keep
# every label: the Emotion cell, then the Positive ... Others flag columns).
# Per clip 16 samples over onset..apex..offset (apex always included), 3 views
# (yaw -30/0/+30: left, front, right) of 224 px normals, one dynamic image per
# view. Put your copy at data/4DME with the workbook
# '4DME_Labelling_Micro_release v1.xlsx' in it (read directly; columns sub_ID,
# fold_name, Onset, Apex, Offset, Emotion). How the release stores the 4D
# meshes is not confirmed: set data_preparation.source.mesh_pattern to your
# copy's layout (default '{subject}/{clip}/{frame}.obj'). Then
#   python tools/prepare_data.py configs/smile_vlm_4dme.py --workers 8
# Protocol: subject-independent 10-fold CV, F1 and per-class accuracy per view
# and fused (the paper's Table V).
_base_ = ['./synthetic_4dme.py']
data_root = 'data/4DME'
cache_root = 'data/cache/4dme_224'
data_preparation = dict(
    source=dict(data_root=data_root, label_file='4DME_Labelling_Micro_release v1.xlsx',
                columns=dict(subject='sub_ID', clip='fold_name', onset='Onset', apex='Apex',
                             offset='Offset', emotion='Emotion'),
                label_columns=dict(positive='Positive', negative='Negative',
                                   surprise='Surprise', repression='Repression',
                                   others='Others'),
                mesh_pattern='{subject}/{clip}/{frame}.obj'),
    renderer=dict(image_size=224),
    out_dir=cache_root)
fourdme_loader = dict(num_workers=4, dataset=dict(ann_file=cache_root + '/annotations.json'))
train_dataloader = fourdme_loader
val_dataloader = fourdme_loader
test_dataloader = fourdme_loader
