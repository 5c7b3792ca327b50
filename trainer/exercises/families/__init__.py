"""The exercise families, by name, in the order a learner meets them.

``FAMILIES`` maps each family's ``name`` to one shared (stateless) instance, in the order
of ``trainer/exercises/catalog.py``; ``get_family`` looks one up and says which names
exist when it is not found.
"""

from __future__ import annotations

from trainer.exercises.base import Family
from trainer.exercises.catalog import CATALOG

from .costs import AddVsConcat, ConvMacs, ConvParams, SeparableVsStandard
from .normalization import BatchNormForward, MinMaxZScore
from .pooling import AvgPoolBackward, MaxPoolBackward
from .receptive_field import ReceptiveFieldFamily
from .sizes import ConvOutputSize, TransposedConvOutputSize
from .upsampling import TransposedConvValues, UpsampleValues

__all__ = [
    "FAMILIES",
    "AddVsConcat",
    "AvgPoolBackward",
    "BatchNormForward",
    "ConvMacs",
    "ConvOutputSize",
    "ConvParams",
    "MaxPoolBackward",
    "MinMaxZScore",
    "ReceptiveFieldFamily",
    "SeparableVsStandard",
    "TransposedConvOutputSize",
    "TransposedConvValues",
    "UpsampleValues",
    "get_family",
]

_CLASSES: dict[str, type[Family]] = {cls.name: cls for cls in (
    AddVsConcat, AvgPoolBackward, BatchNormForward, ConvMacs, ConvOutputSize, ConvParams,
    MaxPoolBackward, MinMaxZScore, ReceptiveFieldFamily, SeparableVsStandard,
    TransposedConvOutputSize, TransposedConvValues, UpsampleValues,
)}

# In the catalog's order. A catalogued family without a class is a KeyError here; a class
# without an entry is one when it is defined (Family.__init_subclass__).
FAMILIES: dict[str, Family] = {entry.name: _CLASSES[entry.name]() for entry in CATALOG}


def get_family(name: str) -> Family:
    """The family called ``name``; KeyError listing the known names otherwise."""
    try:
        return FAMILIES[name]
    except KeyError:
        known = ", ".join(FAMILIES)
        raise KeyError(f"unknown exercise family {name!r}; known families: {known}") from None
