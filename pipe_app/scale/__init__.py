"""Generated data at benchmark scales (``python -m pipe_app.scale --scale busy``)."""

from pipe_app.scale.generate import DEFAULT_SEED, NotEmpty, ScaleSummary, generate_scale
from pipe_app.scale.plans import SCALES, ScalePlan

__all__ = ["DEFAULT_SEED", "SCALES", "NotEmpty", "ScalePlan", "ScaleSummary", "generate_scale"]
