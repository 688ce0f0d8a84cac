"""Studies by job, one sub-package each: planning, uncertainty, inference, analysis."""
