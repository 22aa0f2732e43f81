"""Parsing (the `parsed_batch` and `document_blocks` stages): MinerU in this process, existing
MinerU output and the RunPod worker's results, all normalized to one block contract; the reuse
of complete batches; the joined block stream of the whole document."""
