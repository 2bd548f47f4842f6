"""What machine a measurement ran on, for the JSON that benchmark and analysis tools write."""


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, or '' where it names none."""
    try:
        with open('/proc/cpuinfo') as f:
            return next((ln.split(':', 1)[1].strip() for ln in f
                         if ln.startswith('model name')), '')
    except OSError:
        return ''
