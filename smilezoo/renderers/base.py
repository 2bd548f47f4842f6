"""What every view renderer shares: the pipeline step around its ``render``."""
import numpy as np


class ViewRenderer:
    """Pipeline step: ``results['mesh']`` -> ``views``, ``view_yaws``, ``view_pitches``.

    Subclasses give ``render(mesh)``, ``yaws``, ``view_pitches`` and ``drop_mesh``.
    """

    def transform(self, results: dict) -> dict:
        """Add ``views``, ``view_yaws`` and ``view_pitches`` to ``results``."""
        if 'mesh' not in results:
            raise KeyError(f"{type(self).__name__} needs results['mesh']")
        results['views'] = self.render(results['mesh'])
        results['view_yaws'] = np.asarray(self.yaws, np.float32)
        results['view_pitches'] = self.view_pitches
        if self.drop_mesh:
            del results['mesh']
        return results

    def __call__(self, results: dict) -> dict:
        return self.transform(results)
