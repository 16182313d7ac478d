"""The model core: the primitive table (and, as issue 10 proceeds, the model
declaration, the graph and the rings)."""
