"""Checkers for the exercises: each compares a learner's function with the reference.

Every chapter's checkers live in their own submodule and are re-exported here,
so a notebook writes ``from tutorial_lib.exercises import check_ula_step``.
"""

from tutorial_lib.exercises._core import check_function
from tutorial_lib.exercises.contrastive import check_mean_reciprocal_rank, check_simbert_loss
from tutorial_lib.exercises.energy import check_cd_loss, check_igebm_step
from tutorial_lib.exercises.glann import check_imle_match, check_project_to_sphere, check_smooth_min
from tutorial_lib.exercises.knn import check_kl_entropy, check_log_unit_ball_volume
from tutorial_lib.exercises.langevin import check_mala_log_acceptance, check_stationary_variance, check_ula_step
from tutorial_lib.exercises.masks import check_apply_rope, check_unilm_mask
from tutorial_lib.exercises.pegasus import check_lcs_length, check_rouge_l
from tutorial_lib.exercises.score import check_dsm_loss, check_tweedie_denoise

__all__ = [
    "check_apply_rope",
    "check_cd_loss",
    "check_dsm_loss",
    "check_function",
    "check_igebm_step",
    "check_imle_match",
    "check_kl_entropy",
    "check_lcs_length",
    "check_mean_reciprocal_rank",
    "check_log_unit_ball_volume",
    "check_mala_log_acceptance",
    "check_project_to_sphere",
    "check_rouge_l",
    "check_simbert_loss",
    "check_smooth_min",
    "check_stationary_variance",
    "check_tweedie_denoise",
    "check_ula_step",
    "check_unilm_mask",
]
