# BP4D-Spontaneous (Binghamton University, licensed), recognition protocol:
# the 8 tasks, each mapped to the emotion it elicits (task_to_class,
# editable): T1 happy, T2 sad, T3 surprise, T4 embarrassment,
# T5 fear (fear / nervousness), T6 pain, T7 angry, T8 disgust -> 8 classes,
# prompt pools in configs/_base_/prompts/bp4d_tasks.py. Per sequence 16
# frames sampled uniformly, 3 views (yaw -30/0/+30) of 224 px normals, one
# dynamic image per view. Put the release folder (holding
# Sequences(2D+3D)/F001/T1/0000.obj ... and AUCoding/AU_OCC/F001_T1.csv) at
# data/BP4D (or set data_preparation.source.data_root), then
#   python tools/prepare_data.py configs/smile_vlm_bp4d.py --workers 8
# path_regex (named groups subject, task, frame) is matched below
# Sequences(2D+3D)/ when data_root holds it. The frames show more than the
# face (neck, shoulders): the renderer keeps the part within face_crop.radius
# (mm) of the nose tip (face_crop=None: off). For the cross-data-set protocol
# (train on BU-4DFE, test on BP4D T1 and T8) set tasks=['T1', 'T8'].
# Protocol: 10-fold subject-independent CV (fold 0 held out); no intensities.
_base_ = ['./cached_views.py']
data_root = 'data/BP4D'
task_to_class = dict(T1='happy', T2='sad', T3='surprise', T4='embarrassment',
                     T5='fear', T6='pain', T7='angry', T8='disgust')
class_names = ['happy', 'sad', 'surprise', 'embarrassment', 'fear', 'pain', 'angry',
               'disgust']

data_preparation = dict(
    source=dict(type='BP4DSequences', data_root=data_root,
                path_regex=r'(?P<subject>[FM]\d{3})/(?P<task>T\d+)/(?P<frame>\d{4})\.obj',
                task_to_class=task_to_class, tasks=None,
                num_frames_sampled=16, sampling='uniform', min_frames=8,
                bad_frames='skip', rescale='symmetric', normalise='sequence'),
    renderer=dict(face_crop=dict(radius=100.0)),
    out_dir='data/cache/bp4d_224',
)
train_dataloader = val_dataloader = test_dataloader = dict(
    dataset=dict(classes=class_names, intensities=None))
