"""Pure computations behind the Learn pages (the analogy and its limitations).

- ``toys``: small physical models of what the one-TF Boltzmann picture leaves out
  (concentration, cooperativity, driven cycles, epigenetic memory).
- ``figures``: the numbers each analogy and limitation figure shows, from an
  AttentionResult and lib.chromatin.
- ``probes``: measurements that run the real model (timing, repeatability, head ablation).
- ``text``: glossary terms found in a section's text, for tooltips.

Nothing here imports streamlit.
"""
