"""``Model``: the base of every pydantic model in trainer.

Its validation schema is built the first time a model is used, not when its module is
imported (``defer_build``). A start imports some fifty models and uses a handful before
the first card is drawn: building them all at import cost ~6 ms to the first card and
~15 ms to the command line's import (medians of eight starts in tmux, interleaved).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(defer_build=True)
