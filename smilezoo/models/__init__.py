"""Models: backbones, projectors (necks), fusion, heads, losses, text encoders, label-free
prompt selection, algorithms."""
from . import (algorithms, augments, backbones, data_preprocessors, fusion, heads, losses,  # noqa
               necks, prompt_selection, text_encoders)
