"""Pure, deterministic scoring library: answer checks, quality, reputation, peer review, gold.

Modules: checks (run_checks, automatic_score), signals (AnswerContext, Signal), quality,
reputation, tiers, ranking, peer_review, gold and evaluation. Nothing here touches a database,
the network or the clock; import the submodule you need.
"""

__version__ = "0.1.0"
