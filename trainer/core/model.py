"""``Model``: the base of every pydantic model in trainer.

Its validation schema is built the first time a model is used, not when its module is
imported (``defer_build``): a start imports some fifty models and uses a handful before
the first card is drawn (docs/performance.md has what building them all cost).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(defer_build=True)
