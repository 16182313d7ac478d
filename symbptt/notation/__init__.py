"""Reading gradient formulas written in LaTeX: the grammar and its meaning."""
