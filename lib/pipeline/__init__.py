"""The serving pipeline: prompt -> attention -> views -> small frozen view models.

- ``memo``: shared, byte-bounded memoisation with one computation per key;
- ``store``: every analysed prompt, small ones in memory, long ones memory-mapped on disk;
- ``views``: the rows, windows and chromatin states each page draws.
Nothing here imports streamlit: ``ui/`` wraps these in per-server caches.
"""
