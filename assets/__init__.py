"""The asset graph: one module per stage; each loads its inputs, calls specmill, writes, describes."""
