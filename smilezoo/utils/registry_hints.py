"""Clear errors for an unknown ``type=`` in a config.

mmengine's own KeyError ("X is not in the smilezoo::model registry. Please check whether the value
of `X` is correct ...") does not list what is registered nor say how to add a module of one's own.
``explain_unknown_types`` rewrites it: which registry and scope, what is registered there, close
matches, and the ``custom_imports`` line that loads a user's module.
"""
import difflib
import re
from contextlib import contextmanager, suppress
from typing import List

from mmengine.registry import Registry

_UNKNOWN = re.compile(r'(?P<type>[^\s\'"]+) is not in the (?P<scope>[\w.-]+)::(?P<name>[\w ]+?) '
                      r'registry')


class UnknownTypeError(KeyError):
    """A config names a ``type`` no registry in scope knows."""

    def __str__(self) -> str:  # KeyError would print the message quoted
        return str(self.args[0])


def find_registry(scope: str, name: str):
    """(attribute name in smilezoo.registry, registry) of the registry called ``name`` in ``scope``
    ('smilezoo', or 'mmengine' for its parent), or (None, None). The attribute is always smilezoo's
    own registry (the one a user registers into), never the ``MMENGINE_*`` parent it re-exports."""
    import smilezoo.registry as registries
    for attr, reg in vars(registries).items():
        if isinstance(reg, Registry) and reg.name == name and reg.scope == 'smilezoo':
            if reg.scope == scope:
                return attr, reg
            if reg.parent is not None and reg.parent.scope == scope:
                return attr, reg.parent
    return None, None


def registered_names(reg: Registry) -> List[str]:
    """Everything ``reg`` knows, its lazily imported locations included."""
    with suppress(Exception):  # a broken module must not hide the original error
        reg.import_from_location()
    return sorted(reg.module_dict)


def unknown_type_message(type_name: str, scope: str, registry_name: str) -> str:
    attr, reg = find_registry(scope, registry_name)
    names = registered_names(reg) if reg is not None else []
    parent = registered_names(reg.parent) if reg is not None and reg.parent is not None else []
    close = difflib.get_close_matches(type_name, names + parent, n=3, cutoff=0.6)
    msg = (f'{type_name!r} is not in the {reg.scope if reg else scope} {registry_name!r} '
           f'registry (scope {scope!r})')
    if names:
        msg += f'; registered: {names}'
    if parent:
        msg += f' (plus {len(parent)} of mmengine\'s own)'
    msg += f'. Did you mean {" or ".join(map(repr, close))}?' if close else '.'
    msg += (f' If {type_name!r} is your own module, register it '
            f'(from smilezoo.registry import {attr or "MODELS"}; '
            f'@{attr or "MODELS"}.register_module()) and import it from the config: '
            f"custom_imports = dict(imports=['your.module'], allow_failed_imports=False) "
            f'(run from the folder that contains your.module, or put it on PYTHONPATH).')
    return msg


@contextmanager
def explain_unknown_types():
    """Re-raise mmengine's 'X is not in the S::R registry' KeyError as an
    ``UnknownTypeError`` with the explanation above (chained to the original)."""
    try:
        yield
    except UnknownTypeError:
        raise
    except KeyError as e:
        text = e.args[0] if e.args and isinstance(e.args[0], str) else str(e)
        match = _UNKNOWN.search(text)
        if match is None:
            raise
        raise UnknownTypeError(unknown_type_message(
            match['type'], match['scope'], match['name'])) from e


def build_with_hints(registry: Registry, cfg, *args, **kwargs):
    """``registry.build(cfg)`` with the clear error for an unknown type."""
    with explain_unknown_types():
        return registry.build(cfg, *args, **kwargs)
