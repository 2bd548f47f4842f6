# tiny_synthetic.py on BP4D-layout sequences: the 8 tasks as 8 classes (T4
# embarrassment, T6 pain; short prompt pools here, the real ones are in
# configs/_base_/prompts/bp4d_tasks.py), 8 frames per sequence, for tests.
_base_ = ['./tiny_synthetic.py']
class_names = ['happy', 'sad', 'surprise', 'embarrassment', 'fear', 'pain', 'angry',
               'disgust']
data_preparation = dict(source=dict(_delete_=True, type='BP4DSequences',
                                    data_root='data/synthetic_bp4d',
                                    num_frames_sampled=8, min_frames=4))
model = dict(class_names=class_names,
             prompt_pools=dict(embarrassment=['an embarrassed facial expression'],
                               pain=['a face with pain expression']))
loader = dict(batch_size=4, dataset=dict(intensities=None, classes=class_names))
train_dataloader = loader
val_dataloader = loader
test_dataloader = loader
