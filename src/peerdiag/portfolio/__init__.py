"""LGA-wide insight: the portfolio of every diagnostic (page, CSV file, charts), the learning
library and the home page's to-do list across all of a person's diagnostics.

It holds no models of its own: it reads every domain app, so it sits above them all."""
