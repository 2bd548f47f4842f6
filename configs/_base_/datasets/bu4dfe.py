# BU-4DFE (Binghamton University, licensed): 6 expressions, one sequence per
# subject and expression; per sequence 16 frames sampled uniformly over the
# whole clip (neutral -> apex -> neutral), each rendered to 3 views (yaw
# -30/0/+30) of 224 px surface normals and pooled into one dynamic image per
# view (approximate rank pooling). Put the release folder (F001/Angry/000.wrl
# ...; BU_WrlViewer_V2/ and other non-subject folders are skipped; the
# landmark release BU4DFE_BND_V1.1/ is read when it is inside or beside it)
# at data/BU-4DFE (or set data_preparation.source.data_root), then
#   python tools/prepare_data.py configs/smile_vlm_bu4dfe.py --workers 8
# Protocol: 10-fold subject-independent CV (fold 0 held out). No intensity
# levels: intensities=None keeps every sequence. To restrict to a subject list
# (e.g. the common 60), set data_preparation.source.subjects=[...].
_base_ = ['./cached_views.py']
data_root = 'data/BU-4DFE'
class_names = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise']

data_preparation = dict(
    source=dict(type='BU4DFESequences', data_root=data_root, expressions=class_names,
                # sampling and bad frames: SequenceSource (docs/datasets.md)
                num_frames_sampled=16, sampling='uniform', min_frames=8,
                bad_frames='skip', rescale='symmetric', normalise='sequence'),
    out_dir='data/cache/bu4dfe_224',
)
train_dataloader = val_dataloader = test_dataloader = dict(
    dataset=dict(classes=class_names, intensities=None))
