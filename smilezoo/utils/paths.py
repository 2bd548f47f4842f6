"""Paths read from data files (label sheets, annotation files, frame lists) must stay inside their
root folder.

A name taken from a file's content is untrusted: ``../../x``, ``/etc/x`` or a symlink inside the
root that points elsewhere would make smilezoo read (or write a cache file) outside the folder the
user pointed it at. This module imports nothing from smilezoo.
"""
import os.path as osp

__all__ = ['PathOutsideRootError', 'resolve_inside', 'check_name']


class PathOutsideRootError(ValueError):
    """A path from a data file that is absolute or resolves outside its root."""


def check_name(name: str, what: str) -> str:
    """Refuse (PathOutsideRootError naming ``what``, the value and the rule) a path read from a
    data file that cannot stay inside any root: absolute (``/x``, ``C:\\x``, ``\\\\server\\x``),
    empty, holding a NUL byte or a ``..`` part. Returns ``name`` unchanged. ``what``: where it
    came from, for the message ("labels.xlsx row 7: subject")."""
    if not isinstance(name, str) or not name:
        raise PathOutsideRootError(f'{what}: empty path {name!r}')
    if '\0' in name:
        raise PathOutsideRootError(f'{what}: path {name!r} holds a NUL byte')
    unified = name.replace('\\', '/')
    if osp.isabs(name) or unified.startswith('/') or osp.splitdrive(name)[0] \
            or (len(unified) > 1 and unified[0].isalpha() and unified[1] == ':'):
        raise PathOutsideRootError(
            f'{what}: absolute path {name!r} refused (must be relative to its root)')
    if '..' in unified.split('/'):
        raise PathOutsideRootError(f"{what}: path {name!r} refused: '..' would leave its root")
    return name


def resolve_inside(root: str, relpath: str, what: str) -> str:
    """``os.path.join(os.path.abspath(root), relpath)`` (symlinks kept, so the path reads as the
    user wrote it), after checking that it stays inside ``root`` (data_root, out_dir, the annotation
    file's folder). Refused (PathOutsideRootError naming ``what``, the path and the root): what
    :func:`check_name` refuses, and paths that leave the root through a symlink (the
    ``os.path.realpath`` of both compared with ``os.path.commonpath``). The path need not exist."""
    check_name(relpath, what)
    base = osp.abspath(root)
    joined = osp.join(base, relpath)
    real_root, real = osp.realpath(base), osp.realpath(joined)
    if osp.commonpath([real_root, real]) != real_root:
        raise PathOutsideRootError(f'{what}: path {relpath!r} resolves to {real}, outside its root '
                                   f'{real_root} (through a symbolic link)')
    return joined
