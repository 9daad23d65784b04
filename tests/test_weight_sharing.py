"""Replicas on one machine share one copy of the model's weights.

transformers keeps the bundled model's parameters inside a copy-on-write mapping of
model.safetensors. As long as nothing writes to them, their pages stay clean page-cache
pages that every replica maps, so N replicas pay for the weights once (bench/bench_cluster.py
measures it across real replicas). A change that copies or casts the weights at load time
(or a transformers release that stops mapping them) would make each replica pay ~90 MB
more; these tests fail first.
"""

from __future__ import annotations

import os
import sys

import pytest

from bench.smaps import process_memory, weight_ranges
from lib.attention.extract import extract_attention

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def test_every_parameter_lives_in_the_mapped_weights_file(bundled):
    ranges = weight_ranges()
    assert ranges, "model.safetensors is not memory-mapped"
    outside = [name for name, p in bundled.model.named_parameters()
               if not any(start <= p.data_ptr() < end for start, end in ranges)]
    assert outside == []


def test_a_forward_pass_leaves_the_weight_pages_shared(bundled):
    extract_attention(bundled, "Transcription factors bind open chromatin near Paris.")
    memory = process_memory(os.getpid())
    assert memory.weights_rss_mb > 10  # the pages the forward pass read are resident ...
    assert memory.weights_private_mb == 0  # ... and none was copied by a write
