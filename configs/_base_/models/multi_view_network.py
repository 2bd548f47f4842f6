# The multi-view network every algorithm here shares: backbone f_v shared by the
# views, projector g_v, view fusion, batch augmentations. One key picks the
# backbone: model.backbone.model_name = 'timm/<name>' or 'open_clip/<name>'
# (docs/model_zoo.md); one key picks the fusion: model.fusion.type
# (ViewAttentionFusion, MeanFusion, MaxFusion, GatedFusion,
# CrossViewTransformerFusion, or your own registered module).
model = dict(
    data_preprocessor=dict(type='MultiViewDataPreprocessor'),
    backbone=dict(type='VisionBackbone', model_name='timm/resnet18', pretrained=None,
                  in_chans=3),
    projector=dict(type='MLPProjector', hidden_dim=512, num_layers=2),
    fusion=dict(type='ViewAttentionFusion'),  # scoring MLP width: hidden_dim=128
    augment=dict(type='BatchViewAugment'),
)
