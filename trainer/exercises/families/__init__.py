"""The exercise families, by name, in the order a learner meets them.

``FAMILIES`` maps each family's ``name`` to one shared (stateless) instance, in the order
of ``trainer/exercises/catalog.py``; ``get_family`` looks one up and says which names
exist when it is not found.
"""

from __future__ import annotations

from trainer.exercises.base import Family
from trainer.exercises.catalog import CATALOG

from .attention import AttentionValues, MhaParams, TransformerLayerParams
from .conv_backward import ConvBackward
from .costs import AddVsConcat, ConvMacs, ConvParams, SeparableVsStandard
from .decoding import TopKTopP
from .detection import IouNms
from .init_stability import InitBounds, TrainingMemory
from .layer_norms import LayerNormRMSNorm
from .long_context import KvCacheBytes, PositionalEncoding
from .losses import CrossEntropyGrad
from .normalization import BatchNormForward, MinMaxZScore
from .optimizers import LrSchedule, OptimizerStep
from .pooling import AvgPoolBackward, MaxPoolBackward
from .receptive_field import ReceptiveFieldFamily
from .recurrent import RnnParams
from .sizes import ConvOutputSize, TransposedConvOutputSize
from .upsampling import TransposedConvValues, UpsampleValues

__all__ = [
    "FAMILIES",
    "AddVsConcat",
    "AttentionValues",
    "AvgPoolBackward",
    "BatchNormForward",
    "ConvBackward",
    "ConvMacs",
    "ConvOutputSize",
    "ConvParams",
    "CrossEntropyGrad",
    "InitBounds",
    "IouNms",
    "KvCacheBytes",
    "LayerNormRMSNorm",
    "LrSchedule",
    "MaxPoolBackward",
    "MhaParams",
    "MinMaxZScore",
    "OptimizerStep",
    "PositionalEncoding",
    "ReceptiveFieldFamily",
    "RnnParams",
    "SeparableVsStandard",
    "TopKTopP",
    "TrainingMemory",
    "TransformerLayerParams",
    "TransposedConvOutputSize",
    "TransposedConvValues",
    "UpsampleValues",
    "get_family",
]

_CLASSES: dict[str, type[Family]] = {cls.name: cls for cls in (
    AddVsConcat, AvgPoolBackward, BatchNormForward, ConvMacs, ConvOutputSize, ConvParams,
    MaxPoolBackward, MinMaxZScore, ReceptiveFieldFamily, SeparableVsStandard,
    TransposedConvOutputSize, TransposedConvValues, UpsampleValues,
    AttentionValues, CrossEntropyGrad, KvCacheBytes, LayerNormRMSNorm, MhaParams,
    PositionalEncoding, TopKTopP, TransformerLayerParams,
    ConvBackward, InitBounds, IouNms, LrSchedule, OptimizerStep, RnnParams, TrainingMemory,
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
