"""The detection parameters every replica must share, in one frozen object."""

from __future__ import annotations

from dataclasses import dataclass

from newsdedup.errors import ConfigError


@dataclass(frozen=True, slots=True)
class DetectionConfig:
    """Parameters of the signatures, the LSH index and the time window.

    Every worker and the `scan` command must use the same values: signatures made with
    another `num_perm`, `seed` or shingle size cannot be compared.
    """

    num_perm: int = 128
    seed: int = 1
    shingle_size: int = 5
    threshold: float = 0.5
    window_seconds: float = 72 * 3600.0
    repetition: bool = True

    def __post_init__(self) -> None:
        if not 16 <= self.num_perm <= 1024:
            raise ConfigError(f"num_perm must be between 16 and 1024, got {self.num_perm}", "num_perm")
        if not 0 <= self.seed < 2**32:
            raise ConfigError(f"seed must be a 32-bit unsigned integer, got {self.seed}", "seed")
        if not 2 <= self.shingle_size <= 12:
            raise ConfigError(f"shingle_size must be between 2 and 12, got {self.shingle_size}", "shingle_size")
        if not 0.05 <= self.threshold <= 0.99:
            raise ConfigError(f"threshold must be between 0.05 and 0.99, got {self.threshold}", "threshold")
        if self.window_seconds <= 0:
            raise ConfigError(f"window must be positive, got {self.window_seconds} s", "window_seconds")
