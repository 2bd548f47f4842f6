"""Frozen text encoders f_t and the prompt bank built with them."""
from .base import FrozenTextEncoder
from .open_clip_text_encoder import OpenCLIPTextEncoder
from .prompt_bank import PromptBank
from .sentence_transformer_encoder import SentenceTransformerTextEncoder

__all__ = ['FrozenTextEncoder', 'OpenCLIPTextEncoder', 'PromptBank',
           'SentenceTransformerTextEncoder']
