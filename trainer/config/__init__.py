"""Typed settings: the model and where values come from (``settings``), the file
(``file``), and editing one value (``edit``)."""
