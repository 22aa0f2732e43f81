"""A self-generated specification PDF (with its XSD and ground truth) for tests and benchmarks."""

from specmill.sample.generator import InvalidSampleRequest, generate_sample

__all__ = ["InvalidSampleRequest", "generate_sample"]
