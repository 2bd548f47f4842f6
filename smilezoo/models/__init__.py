"""Models: backbones, projectors (necks), fusion, heads, losses, text encoders, algorithms."""
from . import (algorithms, augments, backbones, data_preprocessors, fusion, heads, losses,  # noqa
               necks, text_encoders)
