"""Small networks used by the notebooks: one file per family, re-exported here."""

from tutorial_lib.nn.autoencoders import MLPDecoder, MLPEncoder
from tutorial_lib.nn.generators import MLPGenerator, MLPMapper

__all__ = ["MLPDecoder", "MLPEncoder", "MLPGenerator", "MLPMapper"]
