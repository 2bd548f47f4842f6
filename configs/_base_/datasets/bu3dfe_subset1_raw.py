# BU-3DFE subset I from the RAW scans (F0001_AN03WH_RAW.wrl: the whole
# capture with hair, ears and neck; textured by the _F3D.bmp) instead of the
# cropped F3D ones: the renderer keeps the part within face_crop.radius mm of
# the nose tip (found from the _F3D.bnd landmarks when present, else from the
# geometry), so the face fills the views as an F3D scan does. Use it as a
# config's dataset base instead of bu3dfe_subset1.py, or on any BU-3DFE config:
#   --cfg-options data_preparation.source.scan_type=RAW \
#       data_preparation.renderer.face_crop.radius=100 data_preparation.out_dir=...
_base_ = ['./bu3dfe_subset1.py']
data_preparation = dict(source=dict(scan_type='RAW'),
                        renderer=dict(face_crop=dict(radius=100.0)),
                        out_dir='data/cache/bu3dfe_subset1_raw_224')
