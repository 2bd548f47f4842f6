# The main synthetic job with a fusion head that lives outside smilezoo:
# projects/example_fusion/confidence_fusion.py registers ConfidenceWeightedFusion
# into smilezoo's MODELS when custom_imports imports it. Run from the repo root:
#   python tools/train.py projects/example_fusion/configs/smile_vlm_synthetic_confidence_fusion.py
_base_ = ['../../../configs/smile_vlm_synthetic.py']

custom_imports = dict(imports=['projects.example_fusion.confidence_fusion'],
                      allow_failed_imports=False)

model = dict(fusion=dict(_delete_=True, type='ConfidenceWeightedFusion', num_views=3))
