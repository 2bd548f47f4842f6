"""SMILE-VLM: multi-view self-supervised vision-language learning (arXiv 2506.01203)."""
import copy
from typing import Dict, List, Optional, Tuple

import torch

from smilezoo.registry import MODELS
from ..text_encoders import PromptBank, text_encoder_cache_key
from .multi_view_base import MultiViewModel


@MODELS.register_module()
class SmileVLM(MultiViewModel):
    """Backbone f_v shared by the N views, projector g_v, view fusion, a frozen text encoder
    f_t (through a PromptBank), and the joint loss of eq. 10.

    Inputs are (B, N, C, H, W) views in [0, 1]. In training, each view is encoded clean (z')
    and under two random augmentations (z^A, z^B), all B*N*3 images in one backbone call.
    Where the ground-truth label is read (never as a loss target): docs/method.md.

    Args:
        backbone, projector, fusion, text_encoder, head, augment: configs; d is the text
            encoder's size.
        class_names: class names in label order.
        prompt_pools: class name -> list of prompts.
        prompt_cache_dir: where prompt embeddings are cached (None: default; docs/faq.md).
        losses: keys 'mv_bt', 'vl', 'red' -> loss configs; a missing or None entry drops
            that loss (the ablations).
        reuse_aug_as_clean: use augmentation A as the clean view z' (a third fewer backbone
            passes; not the paper's setting).
        view_dropout: in training, the probability that a view is hidden from the fusion
            (every sample keeps one); per-view losses still see every view.
        prompt_selection: 'label' (the paper: the ground-truth category picks the prompt
            pool), or label-free 'zero_shot_pseudo' / 'cluster' (``PseudoLabeler``, with
            the options ``pseudo_label``).
    """

    LOSS_KEYS = ('mv_bt', 'vl', 'red')
    PROMPT_SELECTION = ('label', 'zero_shot_pseudo', 'cluster')

    def __init__(self, backbone: dict, projector: dict, fusion: dict, text_encoder: dict,
                 class_names: List[str], prompt_pools: Dict[str, List[str]],
                 losses: dict, head: Optional[dict] = None, augment: Optional[dict] = None,
                 reuse_aug_as_clean: bool = False, prompt_cache_dir=None,
                 view_dropout: float = 0.0, prompt_selection: str = 'label',
                 pseudo_label: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None, init_cfg=None):
        unknown = set(losses) - set(self.LOSS_KEYS)
        if unknown:
            raise KeyError(f'model.losses has unknown key(s) {sorted(unknown)}; '
                           f'expected some of {self.LOSS_KEYS}')
        self.__dict__['_text_encoder_cfg'] = copy.deepcopy(text_encoder)  # before Module init
        bank = PromptBank(class_names, prompt_pools, lambda: self.text_encoder,
                          text_encoder_cache_key(text_encoder), cache_dir=prompt_cache_dir)
        d = bank.embed_dim
        super().__init__(backbone, projector, fusion, d, augment, data_preprocessor, init_cfg,
                         embed_dim_source=f'the text embedding size of {text_encoder["type"]}')
        self.prompt_bank = bank
        self.head = MODELS.build(head or dict(type='ZeroShotHead'))
        self.losses = torch.nn.ModuleDict(
            {k: MODELS.build(v) for k, v in losses.items() if v is not None})
        if not self.losses:
            raise ValueError('model.losses: every loss is disabled; keep at least one')
        self.reuse_aug_as_clean = reuse_aug_as_clean
        if not 0.0 <= view_dropout < 1.0:
            raise ValueError(f'model.view_dropout={view_dropout}, expected 0 <= p < 1')
        self.view_dropout = view_dropout
        if prompt_selection not in self.PROMPT_SELECTION:
            raise ValueError(f'model.prompt_selection={prompt_selection!r}, expected one of '
                             f'{self.PROMPT_SELECTION}')
        self.prompt_selection = prompt_selection
        self.pseudo_labeler = None if prompt_selection == 'label' else MODELS.build(dict(
            type='PseudoLabeler', mode=prompt_selection, num_classes=len(class_names),
            embed_dim=d, **(pseudo_label or {})))

    @property
    def text_encoder(self):
        """The frozen text encoder, built on first use; not a submodule (out of checkpoints
        and DDP)."""
        if 'text_encoder' not in self.__dict__:
            self.__dict__['text_encoder'] = MODELS.build(self._text_encoder_cfg)
        return self.__dict__['text_encoder']

    @property
    def class_names(self) -> List[str]:
        return self.prompt_bank.class_names

    def loss(self, inputs: torch.Tensor, data_samples: List[dict]) -> Dict[str, torch.Tensor]:
        """inputs: (B, N, C, H, W); data_samples: B dicts with 'gt_label'."""
        b, n = inputs.shape[:2]
        flat = inputs.flatten(0, 1)
        stacks = [self.augment(flat), self.augment(flat)]
        if not self.reuse_aug_as_clean:
            stacks.insert(0, flat)
        z = self.embed_views(torch.stack(stacks).view(len(stacks), b, n, *inputs.shape[2:]))
        z_a, z_b = z[-2], z[-1]
        z_clean = z_a if self.reuse_aug_as_clean else z[0]
        view_mask = (self.random_view_mask(b, n, inputs.device)
                     if self.training and self.view_dropout else None)
        z_mv, _ = self.fusion(z_clean, view_mask)
        out = {}
        if self.pseudo_labeler is None:
            labels = torch.as_tensor([s['gt_label'] for s in data_samples], device=inputs.device)
        else:
            labels = self.pseudo_labeler(z_mv, self.prompt_bank.prototypes)
            out.update(self._pseudo_label_agreement(labels, data_samples))
        prompt_ids = self.prompt_bank.sample(labels)
        z_t = self.prompt_bank.embeddings[prompt_ids]
        if 'mv_bt' in self.losses:
            out['loss_mv_bt'] = self.losses['mv_bt'](z_a, z_b)
        if 'vl' in self.losses:
            out['loss_vl'] = self.losses['vl'](z_clean, z_mv, z_t,
                                               pool_ids=self.prompt_bank.pool_of_prompt[prompt_ids],
                                               prompt_ids=prompt_ids)
        if 'red' in self.losses:
            out['loss_red'] = self.losses['red'](z_mv, z_t)
        return out

    def random_view_mask(self, b: int, n: int, device) -> torch.Tensor:
        """(B, N) bool, each view kept with probability 1 - view_dropout; a sample that would
        lose every view keeps a uniformly chosen one."""
        keep = torch.rand(b, n, device=device) >= self.view_dropout
        lost = ~keep.any(dim=1)
        keep[lost, torch.randint(n, (int(lost.sum()),), device=device)] = True
        return keep

    @staticmethod
    def _pseudo_label_agreement(labels: torch.Tensor, data_samples) -> Dict[str, torch.Tensor]:
        """For the log only: how often pseudo-labels equal the ground truth, if given."""
        if not data_samples or any('gt_label' not in s for s in data_samples):
            return {}
        gt = torch.as_tensor([s['gt_label'] for s in data_samples], device=labels.device)
        return {'pseudo_label_acc': (labels == gt).float().mean().detach()}

    def class_scores(self, feats: Dict[str, torch.Tensor]) -> Tuple[torch.Tensor, torch.Tensor]:
        """Zero-shot: (B, C) and (B, N, C) softmaxed cosine scores to the prototypes."""
        protos = self.prompt_bank.prototypes
        return self.head(feats['fused'], protos), self.head(feats['views'], protos)
