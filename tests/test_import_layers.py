"""Imports run one way: every import in smilezoo/ (module level and inside
functions, relative ones resolved, ``importlib.import_module('...')`` with a
literal name too) goes to a lower layer of docs/architecture.md, or to an
allowed neighbour in its own layer."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# package -> layer (docs/architecture.md, "Layers"); the longest matching prefix wins
LAYER = {
    'smilezoo': 0, 'smilezoo.structures': 0, 'smilezoo.registry': 0, 'smilezoo.utils': 0,
    'smilezoo.datasets.formats': 1, 'smilezoo.renderers': 1, 'smilezoo.models': 1,
    'smilezoo.datasets': 2, 'smilezoo.engine': 2,
    'smilezoo.visualization': 3, 'smilezoo.evaluation': 3,
    'smilezoo.apis': 4,
    'tools': 5, 'projects': 5,
}
# the only imports between two packages of one layer
NEIGHBOURS = {('smilezoo.utils', 'smilezoo.structures'), ('smilezoo.utils', 'smilezoo.registry'),
              ('smilezoo.evaluation', 'smilezoo.visualization')}


def package_of(module: str):
    parts = module.split('.')
    for n in range(len(parts), 0, -1):
        if '.'.join(parts[:n]) in LAYER:
            return '.'.join(parts[:n])
    return None


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix('').parts)
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)


def is_module(name: str, root: Path) -> bool:
    base = root.joinpath(*name.split('.'))
    return base.with_suffix('.py').is_file() or (base / '__init__.py').is_file()


def imports(path: Path, root: Path):
    """(line, module) for every import in the file, ``from a import b`` as a.b
    when b is a module."""
    this = module_name(path, root)
    package = this if path.name == '__init__.py' else this.rpartition('.')[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                up = package.split('.')[:len(package.split('.')) - node.level + 1]
                base = '.'.join(up + ([node.module] if node.module else []))
            for alias in node.names:
                full = f'{base}.{alias.name}'
                yield node.lineno, full if is_module(full, root) else base
        elif (isinstance(node, ast.Call) and node.args
              and getattr(node.func, 'attr', getattr(node.func, 'id', None)) == 'import_module'
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            yield node.lineno, node.args[0].value


def violations(root: Path = ROOT):
    """[('file:line', imported module, 'a imports b (layer i -> j)')] in file order."""
    out = []
    for path in sorted((root / 'smilezoo').rglob('*.py')):
        src = package_of(module_name(path, root))
        for line, target in sorted(set(imports(path, root))):
            dst = package_of(target)
            if dst is None or dst == src or LAYER[dst] < LAYER[src] or (src, dst) in NEIGHBOURS:
                continue
            out.append((f'{path.relative_to(root)}:{line}', target,
                        f'{src} imports {target} (layer {LAYER[src]} -> {LAYER[dst]})'))
    return out


def test_imports_go_down_the_layers():
    new = [f'{where}: {what}' for where, _, what in violations()]
    assert not new, f'{len(new)} import(s) against docs/architecture.md, first: {new[0]}\n' + \
        '\n'.join(new[1:])


def test_the_walk_sees_function_level_relative_and_by_name_imports(tmp_path):
    """A renderer importing datasets inside a function (relatively, and by
    name) is found, line by line; its import of the registry is allowed."""
    for d in ('smilezoo', 'smilezoo/renderers', 'smilezoo/datasets'):
        (tmp_path / d).mkdir()
        (tmp_path / d / '__init__.py').write_text('')
    (tmp_path / 'smilezoo' / 'datasets' / 'view_cache.py').write_text('')
    (tmp_path / 'smilezoo' / 'registry.py').write_text('')
    (tmp_path / 'smilezoo' / 'renderers' / 'bad.py').write_text(
        'import numpy\nfrom .. import registry\n\n\ndef f():\n'
        '    from ..datasets import view_cache\n'
        "    importlib.import_module('smilezoo.datasets')\n")
    what = 'smilezoo.renderers imports {} (layer 1 -> 2)'
    assert violations(tmp_path) == [
        ('smilezoo/renderers/bad.py:6', 'smilezoo.datasets.view_cache',
         what.format('smilezoo.datasets.view_cache')),
        ('smilezoo/renderers/bad.py:7', 'smilezoo.datasets', what.format('smilezoo.datasets'))]
