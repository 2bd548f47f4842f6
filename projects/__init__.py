"""User projects built on smilezoo without touching its code (loaded with custom_imports)."""
