# Bosphorus (Bogazici University, licensed): the six E_* emotions of the subjects
# who show all six (65 in the paper's protocol), 3 views of 224 px normals of the
# meshed range grids. Put your copy (bs000/ ... or its parent BosphorusDB/) at
# data/Bosphorus, then
#   python tools/prepare_data.py configs/smile_vlm_bosphorus.py --workers 8
_base_ = ['./synthetic_bosphorus.py']
data_root = 'data/Bosphorus'
cache_root = 'data/cache/bosphorus_224'
data_preparation = dict(source=dict(data_root=data_root), renderer=dict(image_size=224),
                        out_dir=cache_root)
bosphorus_loader = dict(num_workers=4, dataset=dict(ann_file=cache_root + '/annotations.json'))
train_dataloader = bosphorus_loader
val_dataloader = bosphorus_loader
test_dataloader = bosphorus_loader
