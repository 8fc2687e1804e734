"""Small networks used by the notebooks: one file per family, re-exported here."""

from tutorial_lib.nn.autoencoders import MLPDecoder, MLPEncoder
from tutorial_lib.nn.energy_nets import ConvEnergy, MLPEnergy
from tutorial_lib.nn.generators import MLPGenerator, MLPMapper
from tutorial_lib.nn.score_nets import NoiseConditionalConvNet, NoiseConditionalMLP
from tutorial_lib.nn.tokenizer import SPECIAL_TOKENS, Batch, Tokenizer, pad_batch
from tutorial_lib.nn.transformer import (
    Transformer,
    TransformerConfig,
    fit,
    generate,
    generate_many,
    lm_loss,
    next_token_loss,
    seq2seq_loss,
)

__all__ = [
    "SPECIAL_TOKENS",
    "Batch",
    "ConvEnergy",
    "MLPDecoder",
    "MLPEncoder",
    "MLPEnergy",
    "MLPGenerator",
    "MLPMapper",
    "NoiseConditionalConvNet",
    "NoiseConditionalMLP",
    "Tokenizer",
    "Transformer",
    "TransformerConfig",
    "fit",
    "generate",
    "generate_many",
    "lm_loss",
    "next_token_loss",
    "pad_batch",
    "seq2seq_loss",
]
