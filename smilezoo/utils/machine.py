"""For the JSON that benchmark and analysis tools write: what machine a measurement
ran on, and its figures rounded."""


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, or '' where it names none."""
    try:
        with open('/proc/cpuinfo') as f:
            return next((ln.split(':', 1)[1].strip() for ln in f
                         if ln.startswith('model name')), '')
    except OSError:
        return ''


def describe_machine() -> str:
    """'<name of GPU 0>' where CUDA is available, else '<cores>-core CPU (<model>)';
    then ', torch threads <n>'."""
    import os

    import torch
    if torch.cuda.is_available():
        where = torch.cuda.get_device_name(0)
    else:
        name = cpu_model()
        where = f'{os.cpu_count()}-core CPU' + (f' ({name})' if name else '')
    return f'{where}, torch threads {torch.get_num_threads()}'


def rounded(obj, digits: int = 4):
    """``obj`` with every float in it (nested dicts and lists) rounded to ``digits``."""
    if isinstance(obj, float):
        return round(obj, digits)
    if isinstance(obj, dict):
        return {k: rounded(v, digits) for k, v in obj.items()}
    if isinstance(obj, list):
        return [rounded(v, digits) for v in obj]
    return obj
