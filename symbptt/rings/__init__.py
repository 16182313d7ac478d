"""The arithmetic every check is evaluated in: exact canonical forms (``algebra``), the
recording ring that finds their generators (``values``), residues modulo a random prime
(``modular``), exact points and rigorous intervals (``points``); the verdict of a stream
of comparisons (``decide``) and the search for a counterexample (``separate``)."""
