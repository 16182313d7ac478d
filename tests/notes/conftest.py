"""The notes corpus's sources are data (notes, their truth scripts), not tests."""

collect_ignore = ["sources"]
