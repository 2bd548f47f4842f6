# BP4D-Spontaneous (Binghamton University, licensed), recognition protocol:
# the 8 tasks, each mapped to the emotion it elicits (task_to_class, as in
# synthetic_bp4d.py): T1 happy, T2 sad, T3 surprise, T4 embarrassment,
# T5 fear (fear / nervousness), T6 pain, T7 angry, T8 disgust -> 8 classes,
# prompt pools in configs/_base_/prompts/bp4d_tasks.py. Per sequence 16
# frames sampled uniformly, 3 views (yaw -30/0/+30) of 224 px normals, one
# dynamic image per view. Put the release folder (holding
# Sequences(2D+3D)/F001/T1/0000.obj ... and AUCoding/AU_OCC/F001_T1.csv) at
# data/BP4D (or set data_preparation.source.data_root), then
#   python tools/prepare_data.py configs/smile_vlm_bp4d.py --workers 8
# The frames show more than the face (neck, shoulders): the renderer keeps the
# part within face_crop.radius (mm) of the nose tip (face_crop=None: off).
# Protocol: 10-fold subject-independent CV.
_base_ = ['./synthetic_bp4d.py']
data_root = 'data/BP4D'
cache_root = 'data/cache/bp4d_224'
data_preparation = dict(source=dict(data_root=data_root),
                        renderer=dict(image_size=224, face_crop=dict(radius=100.0)),
                        out_dir=cache_root)
bp4d_loader = dict(num_workers=4, dataset=dict(ann_file=cache_root + '/annotations.json'))
train_dataloader = bp4d_loader
val_dataloader = bp4d_loader
test_dataloader = bp4d_loader
