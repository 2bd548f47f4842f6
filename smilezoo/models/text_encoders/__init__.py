"""Frozen text encoders f_t and the prompt bank built with them."""
from .base import FrozenTextEncoder
from .cache_key import text_encoder_cache_key
from .open_clip_text_encoder import OpenCLIPTextEncoder
from .prompt_bank import PromptBank
from .sentence_transformer_encoder import SentenceTransformerTextEncoder

__all__ = ['FrozenTextEncoder', 'OpenCLIPTextEncoder', 'PromptBank',
           'SentenceTransformerTextEncoder', 'text_encoder_cache_key']
