# BU-4DFE (Binghamton University, licensed): 6 expressions, one sequence per
# subject and expression; per sequence 16 frames sampled uniformly over the
# whole clip (neutral -> apex -> neutral), each rendered to 3 views (yaw
# -30/0/+30) of 224 px surface normals and pooled into one dynamic image per
# view (approximate rank pooling). Put the release folder (F001/Angry/000.wrl
# ...; BU_WrlViewer_V2/ and other non-subject folders are skipped; the
# landmark release BU4DFE_BND_V1.1/ is read when it is inside or beside it)
# at data/BU-4DFE (or set data_preparation.source.data_root), then
#   python tools/prepare_data.py configs/smile_vlm_bu4dfe.py --workers 8
# Protocol: 10-fold subject-independent CV. To restrict to a subject list
# (e.g. the common 60), set data_preparation.source.subjects=[...].
_base_ = ['./synthetic_bu4dfe.py']
data_root = 'data/BU-4DFE'
cache_root = 'data/cache/bu4dfe_224'
data_preparation = dict(source=dict(data_root=data_root), renderer=dict(image_size=224),
                        out_dir=cache_root)
bu4dfe_loader = dict(num_workers=4, dataset=dict(ann_file=cache_root + '/annotations.json'))
train_dataloader = bu4dfe_loader
val_dataloader = bu4dfe_loader
test_dataloader = bu4dfe_loader
