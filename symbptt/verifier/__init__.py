"""Job A: every check of a model's derivation (:func:`verify`): the backward program, the
expansion and sums of products, the references and the model's claims, each a stream of
comparisons in one ring (``run``, ``checks``, ``batched``; the claims in ``claims``)."""

from symbptt.verifier.run import verify, verify_vector

__all__ = ["verify", "verify_vector"]
