"""One dynamic partition per planned batch (b00, b01, ...), registered by the batch_plan asset."""

import dagster as dg

batch_partitions = dg.DynamicPartitionsDefinition(name="batches")
