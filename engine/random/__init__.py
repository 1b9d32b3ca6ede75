"""`tf.random` (TF 1.x spelling, `tf.compat.v1.random`): the random ops under their short names."""

from engine.framework.random_seed import get_seed, set_random_seed
from engine.ops.candidate_sampling_ops import (
    all_candidate_sampler,
    fixed_unigram_candidate_sampler,
    learned_unigram_candidate_sampler,
    log_uniform_candidate_sampler,
    uniform_candidate_sampler,
)
from engine.ops.random_ops import categorical, multinomial, truncated_normal
from engine.ops.random_ops import random_normal as normal
from engine.ops.random_ops import random_shuffle as shuffle
from engine.ops.random_ops import random_uniform as uniform

__all__ = [
    "all_candidate_sampler",
    "categorical",
    "fixed_unigram_candidate_sampler",
    "get_seed",
    "learned_unigram_candidate_sampler",
    "log_uniform_candidate_sampler",
    "multinomial",
    "normal",
    "set_random_seed",
    "shuffle",
    "truncated_normal",
    "uniform",
    "uniform_candidate_sampler",
]
