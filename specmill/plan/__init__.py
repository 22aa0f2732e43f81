"""The batch plan (the `batch_plan` stage): the document cut into clause-aligned page batches,
and what a plan must never do (gaps, overlaps, cuts inside a clause)."""
