"""Models of the casereview app."""
