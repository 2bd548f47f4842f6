# SMILE-VLM, cross-data-set: trained on BU-4DFE (all subjects, 6 classes),
# tested zero-shot on BP4D-Spontaneous tasks T1 (happy) and T8 (disgust) of
# all subjects, with the paper's settings (CLIP ViT-B/16, frozen CLIP text
# tower, AdamW lr 1e-4, yaw -30/0/+30). Paper: 80.66%.
# Zero-shot predicts among all 6 BU-4DFE classes (the model's label space;
# nothing about the test set is told to it); accuracy and F1 are over the
# BP4D clips, whose truth is happy or disgust. The 2-way variant (prototypes
# of happy and disgust only) is a test-time option, the same checkpoint:
#   --cfg-options model.class_names=[disgust,happy] test_dataloader.dataset.classes=[disgust,happy]
# Train once, test once (no cross-validation: the test subjects are other
# people in another data set):
#   python tools/prepare_data.py configs/smile_vlm_bu4dfe.py --workers 8        # BU-4DFE cache
#   python tools/prepare_data.py configs/smile_vlm_bu4dfe_to_bp4d.py --workers 8  # BP4D T1, T8
#   python tools/train.py configs/smile_vlm_bu4dfe_to_bp4d.py
#   python tools/test.py configs/smile_vlm_bu4dfe_to_bp4d.py \
#       work_dirs/smile_vlm_bu4dfe_to_bp4d/epoch_50.pth
_base_ = [
    '_base_/models/smile_vlm_clip_vit_b16.py',
    '_base_/datasets/bu4dfe_to_bp4d.py',
    '_base_/prompts/basic_emotions.py',
    '_base_/schedules/adamw_lr1e-4.py',
    '_base_/default_runtime.py',
]
model = dict(class_names=_base_.class_names, prompt_pools=_base_.prompt_pools)
# the training cache is written by another config's data_preparation
prepared_by = {_base_.bu4dfe_ann: 'configs/smile_vlm_bu4dfe.py'}
cpu_variant = 'configs/benchmarks/synthetic_4d_cpu/smile_vlm_bu4dfe_to_bp4d.py'
