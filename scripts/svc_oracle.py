#!/usr/bin/env python3
"""Plain NumPy reference of the `svc` family (neuralized support vector classifiers): the
independent oracle of the Rust code, written from the formulas of docs/svc.md, one row and
one duel at a time (no shared code, no matrix tricks).

    duels(model, X)                      -> V (rows x k x k), V[r, a, b] = decision value
                                            of class a against class b (V[r, b, a] = -V[r, a, b])
    predict(model, X)                    -> class index per row (one-vs-one vote)
    explain(model, X, rule_set, beta=1, cls=None, reference=None)
                                         -> (predicted, target, R)
    gradient(model, X, cls=None)         -> d target / d z (rows x features)

Model (standardized space z):  K(z, u) = exp(-gamma ||z - u||_q^q), q = 2 (rbf) or 1
(laplacian). Pair (i, j), i < j, number p in scikit-learn's order:
    dec_p(z) = sum_{s in S_i} dual_coef[j-1, s] K(z, u_s) + sum_{s in S_j} dual_coef[i, s] K(z, u_s)
               + intercept[p]          (> 0: a vote for i)
binary (scikit-learn's public sign): dec(z) = sum_s dual_coef[0, s] K(z, u_s) + intercept[0]
(> 0: classes[1]), so V[1, 0] = dec, V[0, 1] = -dec.
Target of class c: T_c = min_{k != c} V[c, k].

Relevance of class c: duel k gets the share w_k = softmin_k(beta V[c, k]) of T_c. A duel
(c, k) is a signed sum sum_s a_s K_s + b with its positive side P (a_s > 0, and the
intercept when b > 0, as a virtual support vector at z) and negative side N. On each side
p_s = softmax_s(beta (log|a_s| - gamma D_s)), D_s = ||z - u_s||_q^q (the intercept: log|b|,
D = 0). With t = z - u_s per feature:
    neon      N_i = sum_N p_s |t_i|^q - sum_P p_s |t_i|^q                 (midpoint rule)
    neon-ref  N_i = (z_i - r_i) (sum_N p_s d|t_i|^q - sum_P p_s d|t_i|^q)  (gradient x input
              of log sum_P - log sum_N, divided by gamma, toward the reference r)
    hybrid    (1 - eta) * neon-ref + eta * neon, each rescaled to the duel's relevance,
              eta = clamp(0.4 log10(gamma s) + 0.4, 0, 1), s the median pairwise
              ||u_j - u_k||_q^q of the first 500 support vectors (the upper median,
              sorted[n // 2], for an even count).
    neon-path (rooted at the reference r, along the straight path x(t) = r + t (z - r) cut
              at t_p = p / P, P = 8 pieces): per support vector s of a duel (coefficient
              a_s), per-feature exponents e_si(x) = -gamma |x_i - u_si|^q, E_s = sum_i e_si,
              computed directly at every x(t_p); on piece p the slope
              sigma_sp = (exp E_s(t_p+1) - exp E_s(t_p)) / (E_s(t_p+1) - E_s(t_p))
              (exp E_s(t_p) if equal) and N_i(p) = sum_s a_s sigma_sp (e_si(t_p+1) - e_si(t_p))
              (sums to the duel's change over the piece). Piece p counts only for the duel
              k(p) of class c with the smallest mean of its values at the piece's ends (the
              first on ties); N = sum_p N^(k(p))(p), then
              R = N + (T_c - sum_i N_i) / d (not rescaled).
              Rows with a coordinate (or a support vector's) above 1e100 in magnitude, or
              a non-finite result, take hybrid's relevance.
Each term is rescaled: R = w_k T_c N / sum N; a term whose sum is tiny
(|sum N| <= 1e-12 sum |N_i|) or of the other sign than w_k T_c is replaced by the other term
(hybrid) or, when no term is usable, by the flat share w_k T_c / d.
"""

import numpy as np

PIECES = 8  # pieces of the path of neon-path


def standardize(X, model):
    sc = model.get("scaler")
    X = np.asarray(X, dtype=np.float64)
    if sc is None:
        return X
    return (X - np.asarray(sc["mean"])) / np.asarray(sc["scale"])


def _parts(model):
    (kind, par), = model["kernel"].items()
    q = 2 if kind == "rbf" else 1
    sv = np.asarray(model["support_vectors"], dtype=np.float64)
    dual = np.asarray(model["dual_coef"], dtype=np.float64)
    icpt = np.asarray(model["intercept"], dtype=np.float64)
    n_sup = list(model["n_support"])
    start = np.concatenate([[0], np.cumsum(n_sup)]).astype(int)
    return q, float(par["gamma"]), sv, dual, icpt, start, len(n_sup)


def _duel_terms(model, a, b):
    """(support vector indices, signed coefficients, signed intercept) of the duel value of
    class a against class b."""
    q, g, sv, dual, icpt, start, k = _parts(model)
    if k == 2:
        sign = 1.0 if a == 1 else -1.0
        idx = np.arange(len(sv))
        return idx, sign * dual[0], sign * icpt[0]
    i, j = min(a, b), max(a, b)
    p = sum(k - 1 - m for m in range(i)) + (j - i - 1)
    si = np.arange(start[i], start[i + 1])
    sj = np.arange(start[j], start[j + 1])
    idx = np.concatenate([si, sj])
    coef = np.concatenate([dual[j - 1, si], dual[i, sj]])
    sign = 1.0 if a == i else -1.0
    return idx, sign * coef, sign * icpt[p]


def _dist(q, z, U):
    t = z[None, :] - U
    return (t * t).sum(axis=1) if q == 2 else np.abs(t).sum(axis=1)


def duels(model, X):
    q, g, sv, dual, icpt, start, k = _parts(model)
    Z = standardize(X, model)
    V = np.zeros((len(Z), k, k))
    for a in range(k):
        for b in range(a + 1, k):
            idx, coef, bias = _duel_terms(model, a, b)
            for r, z in enumerate(Z):
                V[r, a, b] = np.sum(coef * np.exp(-g * _dist(q, z, sv[idx]))) + bias
                V[r, b, a] = -V[r, a, b]
    return V


def predict(model, X):
    V = duels(model, X)
    k = V.shape[1]
    out = np.zeros(len(V), dtype=int)
    for r in range(len(V)):
        votes = np.zeros(k, dtype=int)
        for i in range(k):
            for j in range(i + 1, k):
                votes[i if V[r, i, j] > 0 else j] += 1
        out[r] = int(np.argmax(votes))
    return out


def target(V, c):
    return min(V[c, k] for k in range(V.shape[0]) if k != c)


def typical_gap(model):
    q, g, sv, *_ = _parts(model)
    U = sv[:500]
    d = [float(np.sum(np.abs(U[j] - U[m]) ** q)) for j in range(len(U)) for m in range(j)]
    return g * sorted(d)[len(d) // 2] if d else 0.0


def eta(model):
    gap = typical_gap(model)
    if gap <= 0:
        return 0.0
    return float(np.clip(0.4 * np.log10(gap) + 0.4, 0.0, 1.0))


def _side_weights(logw, beta):
    m = np.max(logw)
    e = np.exp(beta * (logw - m))
    return e / e.sum()


def _numerators(model, z, r, a, b, beta):
    """(midpoint numerators, gradient-x-input numerators) of duel (a, b) at row z."""
    q, g, sv, *_ = _parts(model)
    idx, coef, bias = _duel_terms(model, a, b)
    U = sv[idx]
    D = _dist(q, z, U)
    term = (lambda t: t * t) if q == 2 else np.abs
    deriv = (lambda t: 2 * t) if q == 2 else np.sign
    mid = np.zeros(len(z))
    grad = np.zeros(len(z))
    for side, sign in ((coef > 0, -1.0), (coef < 0, 1.0)):
        # sign: -1 for P (subtracted), +1 for N
        logw = list(np.log(np.abs(coef[side])) - g * D[side])
        points = list(U[side])
        if (bias > 0 and sign < 0) or (bias < 0 and sign > 0):
            logw.append(np.log(abs(bias)))
            points.append(z)
        if not points:
            continue
        p = _side_weights(np.array(logw), beta)
        for w, u in zip(p, points):
            mid += sign * w * term(z - u)
            grad += sign * w * deriv(z - u)
    return mid, (z - r) * grad


def _usable(n, out):
    s = n.sum()
    return abs(s) > 1e-12 * np.abs(n).sum() and (s > 0) == (out > 0)


def _rescaled(terms, out, d):
    """sum_m weight_m out N_m / sum N_m over the usable terms (weights renormalized)."""
    if out == 0:
        return np.zeros(d)
    good = [(w, n) for w, n in terms if w > 0 and _usable(n, out)]
    if not good:
        good = [(1.0, n) for w, n in terms if _usable(n, out)][:1]
    if not good:
        return np.full(d, out / d)
    total = sum(w for w, _ in good)
    return sum((w / total) * out * n / n.sum() for w, n in good)


def _path_exponents(q, g, u, z, r, pieces):
    """E(t_p) = -gamma ||x(t_p) - u||_q^q on the grid t_p = p / P of x(t) = r + t (z - r),
    and the per-feature exponents e_i(t_p) (grid points x features), straight from x(t_p)."""
    term = (lambda t: t * t) if q == 2 else np.abs
    ts = np.arange(pieces + 1) / pieces
    e = np.array([-g * term(r + t * (z - r) - u) for t in ts])
    e[0] = -g * term(r - u)
    e[-1] = -g * term(z - u)
    return e


def _secant(a, b):
    gap = b - a
    return np.exp(a) if gap == 0 else np.exp(a) * np.expm1(gap) / gap


def _rooted(model, z, r, a, b, pieces, piece_weight=None):
    """N_i of duel (a, b) at row z rooted at r along the path in `pieces` pieces
    (sums to V[a, b](z) - V[a, b](r)); `piece_weight[p]` scales piece p (default 1)."""
    q, g, sv, *_ = _parts(model)
    idx, coef, _ = _duel_terms(model, a, b)
    w = np.ones(pieces) if piece_weight is None else piece_weight
    out = np.zeros(len(z))
    for c, u in zip(coef, sv[idx]):
        e = _path_exponents(q, g, u, z, r, pieces)
        E = e.sum(axis=1)
        for p in range(pieces):
            slope = _secant(E[p], E[p + 1])
            if slope == 0 or not np.isfinite(slope):
                continue
            out += w[p] * c * slope * (e[p + 1] - e[p])
    return out


def _path_values(model, z, r, a, b, pieces):
    """V[a, b] at the grid points of the path from r to z."""
    q, g, sv, *_ = _parts(model)
    idx, coef, bias = _duel_terms(model, a, b)
    ts = np.arange(pieces + 1) / pieces
    return np.array([np.sum(coef * np.exp(-g * _dist(q, r + t * (z - r), sv[idx]))) + bias
                     for t in ts])


def explain(model, X, rule_set="hybrid", beta=1.0, cls=None, reference=None, pieces=PIECES):
    q, g, sv, dual, icpt, start, k = _parts(model)
    Z = standardize(X, model)
    if reference is None:
        reference = np.asarray(model["reference"]) if "reference" in model else None
    if reference is None:
        w = np.abs(dual).sum(axis=0)
        r = w @ sv / w.sum()
    else:
        r = standardize(np.asarray(reference)[None, :], model)[0]
    V = duels(model, X)
    pred = predict(model, X)
    e = {"hybrid": eta(model), "neon": 1.0, "neon-ref": 0.0, "neon-path": eta(model)}[rule_set]
    bound = np.abs(sv).max() if sv.size else 0.0
    d = Z.shape[1]
    T = np.zeros(len(Z))
    R = np.zeros_like(Z)
    for row, z in enumerate(Z):
        c = pred[row] if cls is None else cls
        others = [m for m in range(k) if m != c]
        vals = np.array([V[row, c, m] for m in others])
        T[row] = vals.min()
        share = np.exp(-beta * (vals - vals.min()))
        share /= share.sum()
        if rule_set == "neon-path" and max(bound, np.abs(z).max()) <= 1e100:
            # the weakest duel on every piece (smallest mean of its values at the piece's ends)
            path = np.array([_path_values(model, z, r, c, m, pieces) for m in others])
            weakest = np.argmin(0.5 * (path[:, :-1] + path[:, 1:]), axis=0)
            rooted = sum(_rooted(model, z, r, c, m, pieces, (weakest == n).astype(float))
                         for n, m in enumerate(others))
            rooted = rooted + (T[row] - rooted.sum()) / d
            if np.all(np.isfinite(rooted)):
                R[row] = rooted
                continue
        for m, w in zip(others, share):
            mid, gi = _numerators(model, z, r, c, m, beta)
            R[row] += _rescaled([(1.0 - e, gi), (e, mid)], w * T[row], d)
    return pred, T, R


def gradient(model, X, cls=None):
    """d T_c / dz of the explained class: the gradient of its smallest duel (first on ties)."""
    q, g, sv, *_ = _parts(model)
    k = len(model["n_support"])
    Z = standardize(X, model)
    V = duels(model, X)
    pred = predict(model, X)
    G = np.zeros_like(Z)
    for row, z in enumerate(Z):
        c = pred[row] if cls is None else cls
        others = [m for m in range(k) if m != c]
        m = others[int(np.argmin([V[row, c, o] for o in others]))]
        idx, coef, _ = _duel_terms(model, c, m)
        U = sv[idx]
        Kv = np.exp(-g * _dist(q, z, U))
        t = z[None, :] - U
        dt = 2 * t if q == 2 else np.sign(t)
        G[row] = -g * ((coef * Kv)[:, None] * dt).sum(axis=0)
    return G
