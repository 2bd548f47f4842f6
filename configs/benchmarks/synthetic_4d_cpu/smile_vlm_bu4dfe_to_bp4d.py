# Cross-data-set, CPU-sized: SMILE-VLM of smile_vlm_bu4dfe.py (this folder)
# trained on every synthetic BU-4DFE-layout subject, tested zero-shot among
# the 6 classes on the T1 (happy) and T8 (disgust) sequences of every
# synthetic BP4D-layout subject (other identities, spontaneous-style AU
# curves). The CPU variant of configs/smile_vlm_bu4dfe_to_bp4d.py. Train once,
# test once:
#   python tools/prepare_data.py configs/benchmarks/synthetic_4d_cpu/smile_vlm_bu4dfe.py --workers 2
#   python tools/prepare_data.py configs/benchmarks/synthetic_4d_cpu/smile_vlm_bu4dfe_to_bp4d.py \
#       --workers 2
#   python tools/train.py configs/benchmarks/synthetic_4d_cpu/smile_vlm_bu4dfe_to_bp4d.py
#   python tools/test.py configs/benchmarks/synthetic_4d_cpu/smile_vlm_bu4dfe_to_bp4d.py \
#       work_dirs/smile_vlm_bu4dfe_to_bp4d/epoch_40.pth
_base_ = ['./smile_vlm_bu4dfe.py']
bu4dfe_ann = 'data/cache/synthetic_bu4dfe_32/annotations.json'
data_preparation = dict(
    source=dict(_delete_=True, type='BP4DSequences', data_root='data/synthetic_bp4d',
                path_regex=r'(?P<subject>[FM]\d{3})/(?P<task>T\d+)/(?P<frame>\d+)\.obj',
                task_to_class=dict(T1='happy', T2='sad', T3='surprise', T4='embarrassment',
                                   T5='fear', T6='pain', T7='angry', T8='disgust'),
                tasks=['T1', 'T8'],
                num_frames_sampled=16, sampling='uniform', min_frames=8,
                bad_frames='skip', rescale='symmetric', normalise='sequence'),
    out_dir='data/cache/synthetic_bp4d_t1_t8_32')
prepared_by = {bu4dfe_ann: 'configs/benchmarks/synthetic_4d_cpu/smile_vlm_bu4dfe.py'}
train_dataloader = dict(dataset=dict(ann_file=bu4dfe_ann, subject_split=None))
val_dataloader = dict(dataset=dict(subject_split=None))
test_dataloader = val_dataloader
