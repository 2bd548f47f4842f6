"""Names of the rendered views, from their yaw angles."""
from typing import List, Sequence


def view_names_from_yaws(yaws: Sequence[float]) -> List[str]:
    """Yaw (degrees) -> view name: 0 'front', < 0 'left' (the subject's left
    cheek, as MultiViewRenderer renders it), > 0 'right'; the angle is
    appended when two views would share a name ('left30', 'left60')."""
    base = ['front' if y == 0 else ('left' if y < 0 else 'right') for y in yaws]
    return [b if base.count(b) == 1 else f'{b}{abs(y):g}' for b, y in zip(base, yaws)]
