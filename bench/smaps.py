"""What a process's memory costs when several replicas run on one machine (Linux /proc).

- RSS counts every resident page the process maps, shared or not, so N replicas' RSS add
  up to more than the machine spends.
- PSS divides each shared page by the number of processes that map it (smaps_rollup), so
  PSS summed over processes is what they cost together.
- USS (private clean + private dirty) is what this process alone holds: what one more
  replica adds.
- The model's weights: transformers (5.x) keeps parameters inside a copy-on-write mapping
  of model.safetensors. While nothing writes them, those pages stay clean and shared through
  the page cache, so every replica on a machine reads the same physical copy.
"""

from __future__ import annotations

from dataclasses import dataclass

WEIGHTS_FILE = "model.safetensors"


@dataclass(frozen=True)
class ProcessMemory:
    rss_mb: float
    pss_mb: float
    uss_mb: float
    weights_rss_mb: float  # resident pages of the mapped weights file
    weights_pss_mb: float  # their share: weights_rss_mb / replicas when all map the same pages
    weights_private_mb: float  # of those, pages this process copied (written): 0 when shared


def _kb_fields(lines) -> dict[str, int]:
    fields: dict[str, int] = {}
    for line in lines:
        name, _, rest = line.partition(":")
        parts = rest.split()
        if len(parts) == 2 and parts[1] == "kB":
            fields[name] = fields.get(name, 0) + int(parts[0])
    return fields


def _mapping_lines(pid: int, suffix: str) -> list[str]:
    """The smaps lines of every mapping whose path ends with ``suffix``."""
    lines, inside = [], False
    with open(f"/proc/{pid}/smaps") as smaps:
        for line in smaps:
            head = line.split(maxsplit=5)
            if head and "-" in head[0] and not head[0].endswith(":"):  # a mapping's header
                inside = line.rstrip().endswith(suffix)
            elif inside:
                lines.append(line)
    return lines


def process_memory(pid: int) -> ProcessMemory:
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        total = _kb_fields(rollup)
    weights = _kb_fields(_mapping_lines(pid, WEIGHTS_FILE))
    return ProcessMemory(
        rss_mb=total["Rss"] / 1024,
        pss_mb=total["Pss"] / 1024,
        uss_mb=(total["Private_Clean"] + total["Private_Dirty"]) / 1024,
        weights_rss_mb=weights.get("Rss", 0) / 1024,
        weights_pss_mb=weights.get("Pss", 0) / 1024,
        weights_private_mb=weights.get("Private_Dirty", 0) / 1024,
    )


def weight_ranges(pid: int | str = "self") -> list[tuple[int, int]]:
    """Address ranges where the process maps the model's weights file."""
    with open(f"/proc/{pid}/maps") as maps:
        return [tuple(int(x, 16) for x in line.split()[0].split("-"))
                for line in maps if line.rstrip().endswith(WEIGHTS_FILE)]
