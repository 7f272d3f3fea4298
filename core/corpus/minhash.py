"""Near-duplicate detection: one-permutation MinHash over token shingles, LSH banding, clusters."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

#
# Each text becomes a set of shingles (SHINGLE consecutive tokens; a token is a run of word
# characters, case-folded, or one punctuation character). A one-permutation MinHash keeps, for
# each of BINS bins of the 64-bit shingle hashes, the smallest hash that fell in it (an empty bin
# borrows from a full one, picked the same way for every text), so two signatures agree in a bin
# with probability equal to the texts' Jaccard similarity. LSH banding (BANDS bands of BINS // BANDS bins) proposes candidate
# pairs; a pair is similar when its signatures agree in at least `threshold` of the bins.
# Everything runs on numpy arrays, a few megabytes of text at a time.

SHINGLE = 5
BINS = 128
BANDS = 16
_CHUNK_BYTES = 1 << 21
_U64 = np.uint64
_EMPTY = np.iinfo(np.uint64).max
_VALUE_BITS = 57  # the top 7 bits of a shingle hash choose its bin (BINS = 2**7)


def _byte_tables() -> tuple[np.ndarray, np.ndarray]:
    kind = np.full(256, 2, np.uint8)  # 0 space, 1 word, 2 punctuation
    for code in range(256):
        char = bytes([code])
        if char.isspace() or code == 0:
            kind[code] = 0
        elif char.isalnum() or char == b"_" or code >= 0x80:
            kind[code] = 1
    value = np.arange(1, 257, dtype=np.uint64)  # byte + 1, case-folded
    value[ord("A") : ord("Z") + 1] += 32
    return kind, value


_KIND, _VALUE = _byte_tables()
_P = 0x100000001B3
_POWERS: dict[str, np.ndarray] = {}


def _powers(length: int) -> tuple[np.ndarray, np.ndarray]:
    """P**i and P**-i modulo 2**64 for i < length (cached, grown on demand)."""
    if len(_POWERS.get("up", ())) < length:
        size = max(length, _CHUNK_BYTES * 2)
        _POWERS["up"] = _power_table(_P, size)
        _POWERS["down"] = _power_table(pow(_P, -1, 1 << 64), size)
    return _POWERS["up"], _POWERS["down"]


def _power_table(base: int, size: int) -> np.ndarray:
    """base**i modulo 2**64 for i < size, from two short cumulative products (low and high)."""
    step = 1 << 12
    with np.errstate(over="ignore"):
        low = np.cumprod(np.full(step - 1, base, np.uint64))
        low = np.concatenate(([_U64(1)], low))  # base**0 .. base**(step-1)
        high = np.cumprod(np.full(size // step, pow(base, step, 1 << 64), np.uint64))
        high = np.concatenate(([_U64(1)], high))  # base**(step * k)
        return (high[:, None] * low[None, :]).ravel()[:size]


def _mix(x: np.ndarray) -> np.ndarray:
    """A 64-bit finaliser: spreads every input bit over every output bit."""
    x = x ^ (x >> _U64(33))
    x = x * _U64(0xFF51AFD7ED558CCD)
    x = x ^ (x >> _U64(33))
    x = x * _U64(0xC4CEB9FE1A85EC53)
    return x ^ (x >> _U64(33))


def _shingle_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(document index, shingle hash) for every shingle of `texts` (one chunk)."""
    blobs = [text.encode("utf-8") for text in texts]
    starts = np.cumsum([0] + [len(b) + 1 for b in blobs[:-1]])
    data = np.frombuffer(b"\n".join(blobs) + b"\n", np.uint8)
    kind = _KIND[data]
    word = kind == 1
    begin = kind == 2
    begin[1:] |= word[1:] & ~word[:-1]
    begin[0] |= word[0]
    end = kind == 2
    end[:-1] |= word[:-1] & ~word[1:]
    first, last = np.flatnonzero(begin), np.flatnonzero(end) + 1
    up, down = _powers(len(data) + 1)
    prefix = np.empty(len(data) + 1, np.uint64)
    prefix[0] = 0
    np.cumsum(_VALUE[data] * up[: len(data)], out=prefix[1:])
    tokens = _mix((prefix[last] - prefix[first]) * down[first])
    counts = np.diff(np.append(np.searchsorted(first, starts), len(first)))
    doc = np.repeat(np.arange(len(texts)), counts)
    n = max(len(tokens) - SHINGLE + 1, 0)
    shingle = tokens[:n].copy()
    for j in range(1, SHINGLE):
        shingle = shingle * _U64(0x9E3779B97F4A7C15) + tokens[j : j + n]
    whole = doc[:n] == doc[SHINGLE - 1 : SHINGLE - 1 + n]
    short = counts[doc] < SHINGLE  # texts of few tokens: their tokens are their shingles
    return (
        np.concatenate((doc[:n][whole], doc[short])),
        _mix(np.concatenate((shingle[whole], tokens[short] ^ _U64(0x5BD1E995)))),
    )


def _chunks(texts: Sequence[str]) -> Iterator[tuple[int, int]]:
    start, size = 0, 0
    for index, text in enumerate(texts):
        size += len(text)
        if size >= _CHUNK_BYTES:
            yield start, index + 1
            start, size = index + 1, 0
    if start < len(texts):
        yield start, len(texts)


def minhash_signatures(texts: Sequence[str]) -> np.ndarray:
    """One row of BINS uint64 MinHash values per text (all _EMPTY for a text without tokens)."""
    signatures = np.full((len(texts), BINS), _EMPTY, np.uint64)
    flat = signatures.ravel()
    with np.errstate(over="ignore"):
        for start, stop in _chunks(texts):
            doc, hashes = _shingle_hashes(texts[start:stop])
            cell = (doc + start) * BINS + (hashes >> _U64(_VALUE_BITS)).astype(np.int64)
            np.minimum.at(flat, cell, hashes & _U64((1 << _VALUE_BITS) - 1))
        _densify(signatures)
    return signatures


_DONORS = np.random.default_rng(20250).integers(0, BINS, size=(64, BINS))


def _densify(signatures: np.ndarray) -> None:
    """Fill empty bins so that two signatures still agree in a bin with probability = Jaccard.

    An empty bin j borrows, on attempt t, the value of bin _DONORS[t, j] if that bin is full
    (tagged with t, so only the same attempt agrees); the donor table is shared by all texts.
    Bins still empty after the table take the next full bin to their right (rotation).
    """
    full = signatures != _EMPTY
    row, col = np.nonzero(~full & full.any(axis=1)[:, None])
    for attempt, donors in enumerate(_DONORS, 1):
        if not len(row):
            return
        donor = donors[col]
        ok = full[row, donor]
        signatures[row[ok], col[ok]] = _mix(signatures[row[ok], donor[ok]] + _U64(attempt))
        row, col = row[~ok], col[~ok]
    if len(row):
        _rotate(signatures, full, row, col)


def _rotate(signatures: np.ndarray, full: np.ndarray, row: np.ndarray, col: np.ndarray) -> None:
    rows, inverse = np.unique(row, return_inverse=True)
    column = np.arange(2 * BINS)
    following = np.where(np.concatenate([full[rows]] * 2, axis=1), column, 2 * BINS)
    following = np.minimum.accumulate(following[:, ::-1], axis=1)[:, ::-1]
    target = following[inverse, col]
    distance = (target - col).astype(np.uint64) << _U64(32)
    signatures[row, col] = _mix(signatures[row, target % BINS] + distance)


def similar_pairs(
    signatures: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (i, j), i < j, whose signatures agree in at least `threshold` of their bins, and
    the fraction of bins each pair agrees in.

    Candidates come from LSH banding: within each band's bucket, each member is paired with the
    bucket's first member and with its neighbour, so a bucket of n costs O(n), not O(n**2).
    """
    usable = np.flatnonzero(signatures[:, 0] != _EMPTY)
    rows = BINS // BANDS
    left, right = [], []
    with np.errstate(over="ignore"):
        for band in range(BANDS):
            block = signatures[usable, band * rows : (band + 1) * rows]
            key = block[:, 0]
            for column in range(1, rows):
                key = _mix(key ^ block[:, column]) + _U64(column)
            order = np.argsort(key, kind="stable")
            ordered = key[order]
            same = np.flatnonzero(ordered[1:] == ordered[:-1])
            if not len(same):
                continue
            group_start = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
            head = group_start[np.searchsorted(group_start, same + 1, side="right") - 1]
            left += [order[same], order[head]]
            right += [order[same + 1], order[same + 1]]
    if not left:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    a, b = usable[np.concatenate(left)], usable[np.concatenate(right)]
    code = np.unique(np.minimum(a, b) * len(signatures) + np.maximum(a, b))
    a, b = np.divmod(code, len(signatures))
    a, b = a[a != b], b[a != b]
    agree = (signatures[a] == signatures[b]).mean(axis=1)
    keep = agree >= threshold
    return a[keep], b[keep], agree[keep]


def connected_components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Label of each of n nodes (the smallest node index of its component) given the edges."""
    label = np.arange(n)
    while True:
        low = np.minimum(label[left], label[right])
        before = label.copy()
        np.minimum.at(label, left, low)
        np.minimum.at(label, right, low)
        label = label[label]  # pointer jumping
        if np.array_equal(label, before):
            return label


@dataclass
class Cluster:
    """Records whose texts are near-duplicates; `members` are indices, the first one is kept."""

    members: list[int]
    similarity: float  # the lowest similarity among the pairs that joined it


def near_duplicate_clusters(texts: Sequence[str], threshold: float = 0.85) -> list[Cluster]:
    """Groups (two or more) of near-duplicate texts, by MinHash similarity >= `threshold`."""
    if not 0 < threshold <= 1:
        raise ValueError("near-duplicate threshold must be in (0, 1]")
    if len(texts) < 2:
        return []
    left, right, agree = similar_pairs(minhash_signatures(texts), threshold)
    label = connected_components(len(texts), left, right)
    lowest: dict[int, float] = {}
    for node, score in zip(label[left].tolist(), agree.tolist(), strict=True):
        lowest[node] = min(score, lowest.get(node, 1.0))
    members: dict[int, list[int]] = {}
    for index in np.flatnonzero(label != np.arange(len(texts))).tolist():
        members.setdefault(int(label[index]), [int(label[index])]).append(index)
    return [Cluster(group, round(lowest[root], 4)) for root, group in sorted(members.items())]
