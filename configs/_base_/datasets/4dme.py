# 4DME (Li et al., TAC 2022; licensed by its authors): micro-expression clips
# listed in a label sheet (csv export of the official spreadsheet) with their
# per-frame meshes, 5 classes (positive, negative, surprise, repression,
# others; multi-label clips keep every label). Per clip 16 samples over
# onset..apex..offset (apex always included), 3 views (yaw -30/0/+30: left,
# front, right) of 224 px normals, one dynamic image per view. Put your copy
# at data/4DME with the sheet at data/4DME/labels.csv; the sheet's column
# names and the mesh paths are unconfirmed: set data_preparation.source.columns
# and .mesh_pattern (default '{subject}/{clip}/{frame}.obj'). Then
#   python tools/prepare_data.py configs/smile_vlm_4dme.py --workers 8
# Protocol: subject-independent 10-fold CV, F1 and per-class accuracy per view
# and fused (the paper's Table V).
_base_ = ['./synthetic_4dme.py']
data_root = 'data/4DME'
cache_root = 'data/cache/4dme_224'
data_preparation = dict(source=dict(data_root=data_root), renderer=dict(image_size=224),
                        out_dir=cache_root)
fourdme_loader = dict(num_workers=4, dataset=dict(ann_file=cache_root + '/annotations.json'))
train_dataloader = fourdme_loader
val_dataloader = fourdme_loader
test_dataloader = fourdme_loader
