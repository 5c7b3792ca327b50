"""The one exception type of the network analysis."""

from __future__ import annotations

from ..solver import SolverError

__all__ = ["NetworkError"]


class NetworkError(SolverError):
    """An invalid network or spec file (a :class:`SolverError`, hence a ``ValueError``).

    ``layer`` names the offending layer when there is one, ``location`` is ``path:line``
    when the network came from a spec file and the line is known.  ``str(error)`` reads
    ``path:line: layer 'conv3' (conv2d): in_channels=32 but input 'relu2' has 16 channels``.
    """

    def __init__(self, message: str, *, layer: str | None = None, layer_type: str | None = None,
                 location: str | None = None) -> None:
        self.message = message
        self.layer = layer
        self.layer_type = layer_type
        self.location = location
        super().__init__(self._render())

    def _render(self) -> str:
        text = self.message
        if self.layer is not None:
            kind = f" ({self.layer_type})" if self.layer_type else ""
            text = f"layer {self.layer!r}{kind}: {text}"
        if self.location:
            text = f"{self.location}: {text}"
        return text
