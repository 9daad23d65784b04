"""The schemas of every content file: ``base`` (shared text types), ``learn`` (Learn and
Explore text), ``quiz`` (the question bank) and ``ui`` (every page's messages)."""
