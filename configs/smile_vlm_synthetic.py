# The main job: SMILE-VLM on the built-in synthetic BU-3DFE-layout scans, sized
# for a CPU (timm resnet10t trained from scratch, 64 px views, offline MiniLM
# text encoder). Train: 32 subjects, all intensities; test: the 8 held-out
# subjects (fold 0 of 5), intensities 3-4.
#   python tools/dataset_converters/make_synthetic.py --layout bu3dfe \
#       --out data/synthetic_bu3dfe --subjects 40 --seed 0
#   python tools/prepare_data.py configs/smile_vlm_synthetic.py --workers 2
#   python tools/train.py configs/smile_vlm_synthetic.py
_base_ = [
    '_base_/models/smile_vlm_timm_minilm.py',
    '_base_/datasets/synthetic_bu3dfe.py',
    '_base_/prompts/basic_emotions.py',
    '_base_/schedules/cpu_from_scratch_e15.py',
    '_base_/default_runtime.py',
]

model = dict(
    backbone=dict(model_name='timm/resnet10t'),
    class_names=_base_.class_names,
    prompt_pools=_base_.prompt_pools,
)
