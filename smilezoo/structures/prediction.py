"""One input's prediction: what ExpressionInferencer returns per input and
tools/infer.py writes under ``predictions`` / ``errors`` of predictions.json."""
from typing import Dict, List, TypedDict


class PromptScore(TypedDict):
    """A free-text prompt scored against the fused embedding."""
    score: float  # cosine of the prompt's and the input's embeddings
    probability: float  # softmax over the prompts, at the zero-shot head's scale


class Prediction(TypedDict, total=False):
    """A plain dict (JSON as it is). ``path`` and ``kind`` always; then either ``error`` or the
    prediction keys; ``prompts`` only when prompts were given, ``frames_used`` / ``frame_problems``
    only for a sequence, ``vis`` only when a picture was drawn."""
    path: str  # the scan file or the sequence folder
    kind: str  # 'scan' or 'sequence'
    error: str  # one line naming the input: why it could not be predicted
    predicted_class: str
    predicted_label: int  # index into the config's class names
    probabilities: Dict[str, float]  # {class: p}, summing to 1
    top_k: List[Dict]  # [{'class': name, 'probability': p}], most probable first
    view_weights: Dict[str, float]  # {view name: fusion weight}
    view_predictions: Dict[str, str]  # {view name: class that view alone predicts}
    prompts: Dict[str, PromptScore]  # {prompt: score}
    frames_used: List[str]  # a sequence's sampled frames, relative to its folder
    frame_problems: List[Dict]  # [{'frame', 'reason'}]: frames skipped or missing
    vis: str  # the picture's path (tools/infer.py --save-vis)
