"""smilezoo: a model zoo for 3D/4D facial expression recognition (SMILE-VLM and friends)."""
__version__ = '0.1.0'
