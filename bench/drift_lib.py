"""The pure parts of the drift benchmark (bench/drift.py): building the sense-swapped corpus,
ranking words by drift, and reading recovery off the learning curves. Standard library only, so
bench/test_drift.py checks them without a broker."""
import math
import re
from collections import Counter

WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*", re.UNICODE)


def word_counts(lines):
    """Lowercased word counts, split roughly as the app's tokenizer splits (letters/digits runs)."""
    c = Counter()
    for line in lines:
        c.update(w.lower() for w in WORD.findall(line))
    return c


def choose_pairs(counts_a, counts_b, n_pairs, skip_top=100, min_count=200):
    """n_pairs disjoint (w1, w2) pairs of words frequent in both corpora but not function words:
    the skip_top most frequent words of B are left out (they are the stable controls), then words
    are taken in B's frequency order when both corpora have them at least min_count times, and
    paired neighbour with neighbour (similar frequencies, so a swap changes contexts, not counts)."""
    ranked = [w for w, _ in counts_b.most_common()]
    picked = []
    for w in ranked[skip_top:]:
        if len(picked) == 2 * n_pairs:
            break
        if w.isalpha() and len(w) > 2 and counts_a[w] >= min_count and counts_b[w] >= min_count:
            picked.append(w)
    if len(picked) < 2 * n_pairs:
        raise ValueError(f"only {len(picked)} words are frequent enough in both corpora for {n_pairs} pairs")
    return [(picked[i], picked[i + 1]) for i in range(0, len(picked), 2)]


def stable_words(counts_a, counts_b, n, exclude):
    """The n most frequent words of B that A has too (function words: their use does not change)."""
    out = []
    for w, _ in counts_b.most_common():
        if len(out) == n:
            break
        if w not in exclude and w.isalpha() and counts_a[w] > 0:
            out.append(w)
    return out


def swap_words(line, pairs):
    """line with each word of a pair replaced by the other one (whole words, any case)."""
    table = {}
    for a, b in pairs:
        table[a], table[b] = b, a
    pattern = re.compile(r"(?<![\w'])(" + "|".join(map(re.escape, table)) + r")(?![\w'])", re.IGNORECASE)
    return pattern.sub(lambda m: table[m.group(0).lower()], line)


def drift_scores(vectors_from, counts_from, vectors_to, counts_to, damping):
    """word -> (1 - cos) * c / (c + damping), c the smaller count (the app's /v1/drift score), over
    the words both snapshots hold with a non-zero vector."""
    out = {}
    for w, u in vectors_from.items():
        v = vectors_to.get(w)
        if v is None:
            continue
        nu = math.sqrt(sum(x * x for x in u))
        nv = math.sqrt(sum(x * x for x in v))
        if nu == 0 or nv == 0:
            continue
        cos = sum(x * y for x, y in zip(u, v)) / (nu * nv)
        c = min(counts_from[w], counts_to[w])
        out[w] = (1 - cos) * c / (c + damping)
    return out


def ranks(scores):
    """word -> 1-based rank, highest score first (ties: word order, for a fixed answer)."""
    ordered = sorted(scores, key=lambda w: (-scores[w], w))
    return {w: i + 1 for i, w in enumerate(ordered)}


def percentile(rank, total):
    """Where rank 1..total sits from the top: 0 = the top, 100 = the bottom."""
    return 100.0 * (rank - 1) / max(1, total - 1)


def value_at(curve, tokens):
    """The last curve value at or before tokens (curve: (tokens, value) in token order), or None."""
    found = None
    for t, v in curve:
        if t > tokens:
            break
        found = v
    return found


def recovery_tokens(switched, alone, offset, tolerance=0.10):
    """Tokens of B after the switch until the A->B run's recent perplexity stays within tolerance of
    the B-alone run's at the same number of B tokens. switched: (tokens, ppl) of the A->B run (tokens
    counted from the start of A); alone: (tokens, ppl) of B alone; offset: A's tokens. None when it
    never does. 'Stays': no later point of the switched run is outside again."""
    points = [(t - offset, v) for t, v in switched if t > offset and v is not None]
    recovered = None
    for b_tokens, v in points:
        level = value_at(alone, b_tokens)
        if level is None:
            continue
        inside = v <= level * (1 + tolerance)
        if inside and recovered is None:
            recovered = b_tokens
        elif not inside:
            recovered = None
    return recovered
