#!/usr/bin/env python3
"""Plain NumPy LRP for dense ReLU networks (neuralize `dense_network` model files): the
independent oracle of the Rust code. Written from the rule formulas, one layer at a time,
with the whole batch as 3-D contribution arrays (rows x inputs x units): no shared code.

    forward(model, X)                     -> logits (rows x units)
    explain(model, X, rule_set, ...)      -> (predicted, target, R)
    (target: the logit, or with log_odds=True log p_c / (1 - p_c) by soft-min pooling)

Rules of a layer with input a (d), weights W (d x m), pre-activations z (m), unit relevances
R (m):
    lrp0       R_i = sum_k a_i w_ik / z_k R_k            (z_k = 0: nothing passed on)
    epsilon=E  R_i = sum_k a_i w_ik / (z_k + E sign z_k) R_k   (sign 0 = +1)
    gamma=G    n_ik = c_ik + G max(c_ik, 0) if z_k >= 0 else c_ik + G min(c_ik, 0),
               c_ik = a_i w_ik; R_i = sum_k n_ik / sum_i' n_i'k R_k
    alpha-beta R_i = sum_k (A c+_ik / sum c+_k - B c-_ik / sum c-_k) R_k
    flat       R_i = sum_k R_k / d
    w2         n_ik = w_ik^2
    zb         n_ik = a_i w_ik - l_i max(w_ik, 0) - h_i min(w_ik, 0)
Shares n / sum n fall back to 1/d when |sum n| <= 1e-12 sum |n| (as the Rust code).

Rooted at the reference r (rule set neon-ref, DeepLIFT's rescale rule), in relevance form:
every layer sees differences from the reference's own pass (Δa = a - ā, Δp = p - p̄);
    linear     R_i = sum_k Δa_i w_ik / Δp_k R_k          (Δp_k = 0: nothing passed on)
    activation the relevance of a unit passes to its pre-activation unchanged
    top        R_k = Δh_k c_k, c_k = mean over the 64 midpoints t of softmin_k(h̄ + t Δh)
    floor      R_i += (target - sum_i R_i) / d            (the reference's output, spread)

RevealCancel rooted at the reference (rule set reveal-cancel, DeepLIFT's RevealCancel), in
relevance form: every change keeps a positive and a negative part (input: Δz+ = max(Δz, 0),
Δz- = min(Δz, 0)); a linear layer sends contribution c_ik = Δa^s_i w_ik of input part s to
the unit's positive part when c_ik >= 0 (Δp+_k = sum of those), else to its negative part;
a ReLU at reference pre-activation p̄ gives
    Δy+ = (relu(p̄+Δp+) - relu(p̄) + relu(p̄+Δp++Δp-) - relu(p̄+Δp-)) / 2, Δy- likewise;
relevance of unit part k^± = (its share of the top change); it goes down to the
contributions of that part in proportion c_ik / Δp^±_k; then the floor as above.

neon-flip (opt-in on dense networks): nr = the neon-ref relevance before its floor; G = the
min(3, d - 1) features with the largest nr (ties: lower index first); z1 = z with G at r;
    flip_i = (relevance form of the segment z1 -> z)_i for i in G, (of r -> z1)_i otherwise,
    R = (nr + floor + flip + floor) / 2, each floor (target - its sum) / d.

neon-drop (the default of dense networks): nr, G and z1 as neon-flip's;
    drop_i = nr_i + (target(z) - target(z1) - sum_G nr) / g for i in G,
             (relevance form of the segment r -> z1)_i otherwise,
    R = (nr + floor + drop + floor) / 2.
"""

import numpy as np


def standardize(X, model):
    sc = model.get("scaler")
    if sc is None:
        return np.asarray(X, dtype=np.float64)
    return (np.asarray(X, dtype=np.float64) - np.asarray(sc["mean"])) / np.asarray(sc["scale"])


def _layers(model):
    return [(np.asarray(l["weights"], dtype=np.float64), np.asarray(l["biases"], dtype=np.float64),
             l.get("activation")) for l in model["layers"]]


def _pass(model, Z):
    inputs, pre = [Z], []
    for W, b, act in _layers(model):
        p = inputs[-1] @ W + b
        pre.append(p)
        if act is not None:
            inputs.append(np.maximum(p, 0.0) if act == "relu" else p)
    return inputs, pre


def forward(model, X):
    """Logits of every row (input space X)."""
    return _pass(model, standardize(X, model))[1][-1]


def decide(model, logits, chosen=None):
    """(predicted index or regression value, explained target index, sign, output)."""
    out = model["output"]
    n = logits.shape[0]
    if out == "identity":
        pred = logits[:, 0]
        t = np.zeros(n, dtype=int)
    elif out == "logistic":
        pred = (logits[:, 0] > 0).astype(int)
        t = pred.copy()
    else:
        pred = np.argmax(logits, axis=1)
        t = pred.copy()
    if chosen is not None:
        t[:] = chosen
    if out == "softmax":
        column, sign = t, np.ones(n)
    else:
        column, sign = np.zeros(n, dtype=int), np.where((out == "logistic") & (t == 0), -1.0, 1.0)
    return pred, column, sign


def _share(N, R):
    """R_i = sum_k N_ik / sum_i N_ik R_k with the even-split fallback; N: rows x d x m."""
    s = N.sum(axis=1)
    mag = np.abs(N).sum(axis=1)
    ok = (np.abs(s) > 1e-12 * mag) & (s != 0)
    d = N.shape[1]
    safe = np.where(ok, s, 1.0)
    shares = np.where(ok[:, None, :], N / safe[:, None, :], 1.0 / d)
    return np.einsum("rik,rk->ri", shares, R)


def propagate(rule, A, W, Z, R, bounds=None):
    """One layer: A rows x d, W rows x d x m (per-row weights) or d x m, Z rows x m."""
    if W.ndim == 2:
        W = np.broadcast_to(W, (A.shape[0],) + W.shape)
    C = A[:, :, None] * W
    name, params = rule
    if name in ("lrp0", "epsilon"):
        eps = params[0] if name == "epsilon" else 0.0
        eps = np.broadcast_to(np.asarray(eps, dtype=np.float64).reshape(-1, 1)
                              if np.ndim(eps) else eps, Z.shape)
        den = np.where(Z >= 0, Z + eps, Z - eps)
        s = np.where(den != 0, R / np.where(den != 0, den, 1.0), 0.0)
        return np.einsum("rik,rk->ri", C, s)
    if name == "gamma":
        g = params[0]
        N = np.where((Z >= 0)[:, None, :], C + g * np.maximum(C, 0), C + g * np.minimum(C, 0))
        return _share(N, R)
    if name == "alpha-beta":
        a, b = params
        P, Q = np.maximum(C, 0), np.minimum(C, 0)
        sp, sq = P.sum(axis=1), Q.sum(axis=1)
        out = np.zeros(A.shape)
        out += np.einsum("rik,rk->ri", np.where(sp[:, None, :] > 0, a * P / np.where(sp > 0, sp, 1)[:, None, :], 0), R)
        out -= np.einsum("rik,rk->ri", np.where(sq[:, None, :] < 0, b * Q / np.where(sq < 0, sq, 1)[:, None, :], 0), R)
        return out
    if name == "flat":
        return np.repeat(R.sum(axis=1, keepdims=True) / A.shape[1], A.shape[1], axis=1)
    if name == "w2":
        return _share(W * W, R)
    if name == "zb":
        low, high = bounds
        N = C - low[None, :, None] * np.maximum(W, 0) - high[None, :, None] * np.minimum(W, 0)
        return _share(N, R)
    raise ValueError("unknown rule %r" % (name,))


def layer_rules(rule_set, n_layers, has_bounds, uniform=None):
    """The (name, params) of every layer, input first; 'eps-std' = 0.25 std per row."""
    first = ("zb", ()) if has_bounds else ("w2", ())
    top = n_layers - 1
    lower_end = 1 + -(-max(n_layers - 2, 0) // 2)
    rules = []
    for l in range(n_layers):
        if rule_set == "tutorial":
            r = first if l == 0 else ("lrp0", ()) if l == top else \
                ("gamma", (0.25,)) if l < lower_end else ("eps-std", (0.25,))
        elif rule_set == "gamma-zb":
            r = first if l == 0 else ("gamma", (0.25,))
        elif rule_set == "epsilon-plus-flat":
            r = ("flat", ()) if l == 0 else ("epsilon", (1e-6,))
        elif rule_set == "uniform":
            r = uniform
        else:
            raise ValueError(rule_set)
        rules.append(r)
    return rules


def _top(model, layers, inputs, column, sign, log_odds):
    """Per-row top units: weights rows x d_last x m, unit values rows x m, target, shares.

    Logit: one unit s (a . w_c + b_c). Log-odds (softmax): units h_k = a . (w_c - w_k)
    + b_c - b_k for k != c, target = -log sum exp(-h) (max-shifted), shares softmin(h).
    """
    Wl, bl, _ = layers[-1]
    A = inputs[-1]
    n, K = A.shape[0], Wl.shape[1]
    if not (log_odds and model["output"] == "softmax"):
        Wtop = (Wl[:, column] * sign).T[:, :, None]
        H = (np.einsum("ri,ri->r", A, Wtop[:, :, 0]) + bl[column] * sign)[:, None]
        return Wtop, H, H[:, 0], np.ones((n, 1))
    Wtop = np.zeros((n, Wl.shape[0], K - 1))
    B = np.zeros((n, K - 1))
    for r in range(n):
        others = [k for k in range(K) if k != column[r]]
        Wtop[r] = Wl[:, [column[r]]] - Wl[:, others]
        B[r] = bl[column[r]] - bl[others]
    H = np.einsum("ri,rik->rk", A, Wtop) + B
    m = H.min(axis=1, keepdims=True)
    E = np.exp(-(H - m))
    target = m[:, 0] - np.log(E.sum(axis=1))
    return Wtop, H, target, E / E.sum(axis=1, keepdims=True)


def explain(model, X, rule_set, uniform=None, chosen=None, log_odds=False):
    """(prediction, target, R) of every row; R in the standardized space = input features."""
    Z = standardize(X, model)
    inputs, pre = _pass(model, Z)
    layers = _layers(model)
    pred, column, sign = decide(model, pre[-1], chosen)
    Wtop, H, target, shares = _top(model, layers, inputs, column, sign, log_odds)
    bounds = None
    if "bounds" in model:
        bounds = (standardize(np.asarray([model["bounds"]["low"]]), model)[0],
                  standardize(np.asarray([model["bounds"]["high"]]), model)[0])
    rules = layer_rules(rule_set, len(layers), bounds is not None, uniform)
    R = shares * target[:, None]
    for l in reversed(range(len(layers))):
        A = inputs[l]
        if l == len(layers) - 1:
            W, Zl = Wtop, H
        else:
            W, Zl = layers[l][0], pre[l]
        rule = rules[l]
        if rule[0] == "eps-std":
            rule = ("epsilon", (rule[1][0] * Zl.std(axis=1),))
        R = propagate(rule, A, W, Zl, R, bounds if l == 0 else None)
    return pred, target, R


def explain_rooted(model, X, chosen=None, log_odds=False, steps=64):
    """(prediction, target, R) of rule set neon-ref: relevance form of the rescale rule."""
    Z = standardize(X, model)
    if "reference" in model:
        ref = standardize(np.asarray([model["reference"]], dtype=np.float64), model)
    else:
        ref = np.zeros((1, Z.shape[1]))
    inputs, pre = _pass(model, Z)
    ref_inputs, ref_pre = _pass(model, ref)
    layers = _layers(model)
    pred, column, sign = decide(model, pre[-1], chosen)
    Wtop, H, target, _ = _top(model, layers, inputs, column, sign, log_odds)
    Wr, Hr, _, _ = _top(model, layers, [np.repeat(ref_inputs[-1], len(Z), axis=0)], column,
                        sign, log_odds)
    dH = H - Hr
    c = np.zeros(H.shape)
    for t in (np.arange(steps) + 0.5) / steps:
        P = Hr + t * dH
        E = np.exp(-(P - P.min(axis=1, keepdims=True)))
        c += E / E.sum(axis=1, keepdims=True) / steps
    R = dH * c
    for l in reversed(range(len(layers))):
        dA = inputs[l] - ref_inputs[l]
        if l == len(layers) - 1:
            W, dP = Wtop, dH
        else:
            W, dP = np.broadcast_to(layers[l][0], (len(Z),) + layers[l][0].shape), pre[l] - ref_pre[l]
        s = np.where(dP != 0, R / np.where(dP != 0, dP, 1.0), 0.0)
        R = np.einsum("ri,rik,rk->ri", dA, W, s)
    R += ((target - R.sum(axis=1)) / Z.shape[1])[:, None]
    return pred, target, R


def explain_reveal(model, X, chosen=None, log_odds=False, steps=64):
    """(prediction, target, R) of rule set reveal-cancel, in relevance form."""
    Z = standardize(X, model)
    if "reference" in model:
        ref = standardize(np.asarray([model["reference"]], dtype=np.float64), model)
    else:
        ref = np.zeros((1, Z.shape[1]))
    layers = _layers(model)
    _, ref_pre = _pass(model, ref)
    inputs, pre = _pass(model, Z)
    pred, column, sign = decide(model, pre[-1], chosen)
    relu = lambda v: np.maximum(v, 0.0)  # noqa: E731
    # forward: the parts (rows x units x 2: [positive, negative]) of every layer's input
    dz = Z - ref
    parts = [np.stack([np.maximum(dz, 0), np.minimum(dz, 0)], axis=2)]
    contributions = []
    for l in range(len(layers) - 1):
        W, _, act = layers[l]
        C = parts[-1][:, :, None, :] * W[None, :, :, None]        # rows x in x units x part
        to_pos, to_neg = np.where(C >= 0, C, 0.0), np.where(C < 0, C, 0.0)
        dp, dn = to_pos.sum(axis=(1, 3)), to_neg.sum(axis=(1, 3))
        q = ref_pre[l]
        if act == "relu":
            up = (relu(q + dp) - relu(q) + relu(q + dp + dn) - relu(q + dn)) / 2
            down = (relu(q + dn) - relu(q) + relu(q + dp + dn) - relu(q + dp)) / 2
        else:
            up, down = dp, dn
        contributions.append((to_pos, to_neg, dp, dn, up, down))
        parts.append(np.stack([up, down], axis=2))
    # top: the explained units' change, shared as neon-ref does
    Wtop, H, target, _ = _top(model, layers, inputs, column, sign, log_odds)
    ref_inputs, _ = _pass(model, ref)
    _, Hr, _, _ = _top(model, layers, [np.repeat(ref_inputs[-1], len(Z), axis=0)], column,
                       sign, log_odds)
    c = np.zeros(H.shape)
    for t in (np.arange(steps) + 0.5) / steps:
        P = Hr + t * (H - Hr)
        E = np.exp(-(P - P.min(axis=1, keepdims=True)))
        c += E / E.sum(axis=1, keepdims=True) / steps
    # relevance of each part of the last hidden units: its change times the unit's weight
    R = np.einsum("rjs,rjk,rk->rjs", parts[-1], Wtop, c)
    for l in reversed(range(len(layers) - 1)):
        to_pos, to_neg, dp, dn, up, down = contributions[l]
        Rp, Rn = R[:, :, 0], R[:, :, 1]   # relevance of the units' positive / negative parts
        sp = np.where(dp != 0, Rp / np.where(dp != 0, dp, 1.0), 0.0)
        sn = np.where(dn != 0, Rn / np.where(dn != 0, dn, 1.0), 0.0)
        R = np.einsum("riks,rk->ris", to_pos, sp) + np.einsum("riks,rk->ris", to_neg, sn)
    R = R.sum(axis=2)
    R += ((target - R.sum(axis=1)) / Z.shape[1])[:, None]
    return pred, target, R


def gradient(model, X, chosen=None, log_odds=False):
    """d target / d z (standardized space), by backpropagation."""
    Z = standardize(X, model)
    inputs, pre = _pass(model, Z)
    layers = _layers(model)
    _, column, sign = decide(model, pre[-1], chosen)
    Wtop, _, _, shares = _top(model, layers, inputs, column, sign, log_odds)
    G = np.einsum("rik,rk->ri", Wtop, shares)
    for l in reversed(range(len(layers) - 1)):
        if layers[l][2] == "relu":
            G = G * (pre[l] > 0)
        G = G @ layers[l][0].T
    return G


def _segment(model, A, B, column, sign, log_odds, steps=64):
    """Relevance form of the rescale rule along the segment A -> B (rows aligned; no floor):
    sum_i R_i = target(B) - target(A) (up to the quadrature of pooled targets)."""
    layers = _layers(model)
    ins_a, pre_a = _pass(model, A)
    ins_b, pre_b = _pass(model, B)
    Wtop, Hb, _, _ = _top(model, layers, ins_b, column, sign, log_odds)
    _, Ha, _, _ = _top(model, layers, ins_a, column, sign, log_odds)
    dH = Hb - Ha
    c = np.zeros(Hb.shape)
    for t in (np.arange(steps) + 0.5) / steps:
        P = Ha + t * dH
        E = np.exp(-(P - P.min(axis=1, keepdims=True)))
        c += E / E.sum(axis=1, keepdims=True) / steps
    R = dH * c
    for l in reversed(range(len(layers))):
        dA = ins_b[l] - ins_a[l]
        if l == len(layers) - 1:
            W, dP = Wtop, dH
        else:
            W, dP = np.broadcast_to(layers[l][0], (len(A),) + layers[l][0].shape), pre_b[l] - pre_a[l]
        s = np.where(dP != 0, R / np.where(dP != 0, dP, 1.0), 0.0)
        R = np.einsum("ri,rik,rk->ri", dA, W, s)
    return R


def _flip_start(model, X, chosen, log_odds, steps, top):
    """What neon-flip and neon-drop share: the rows, the reference rows, neon-ref's nr, the
    top-g mask G (None for g = 0), z1, the target, the floor and the explained unit."""
    Z = standardize(X, model)
    n, d = Z.shape
    if "reference" in model:
        ref = standardize(np.asarray([model["reference"]], dtype=np.float64), model)
    else:
        ref = np.zeros((1, d))
    Rr = np.repeat(ref, n, axis=0)
    inputs, pre = _pass(model, Z)
    pred, column, sign = decide(model, pre[-1], chosen)
    _, _, target, _ = _top(model, _layers(model), inputs, column, sign, log_odds)
    nr = _segment(model, Rr, Z, column, sign, log_odds, steps)
    floor = lambda R: R + ((target - R.sum(axis=1)) / d)[:, None]  # noqa: E731
    g = min(top, d - 1)
    G = Z1 = None
    if g > 0:
        order = np.argsort(-nr, axis=1, kind="stable")
        G = np.zeros((n, d), dtype=bool)
        G[np.arange(n)[:, None], order[:, :g]] = True
        Z1 = np.where(G, Rr, Z)
    return pred, target, floor, nr, g, G, Z, Z1, Rr, (column, sign)


def explain_flip(model, X, chosen=None, log_odds=False, steps=64, top=3):
    """(prediction, target, R) of rule set neon-flip: neon-ref averaged with the flip-ordered
    two-piece rescale path (the top `top` features of neon-ref move first)."""
    pred, target, floor, nr, g, G, Z, Z1, Rr, (column, sign) = _flip_start(
        model, X, chosen, log_odds, steps, top)
    if g == 0:
        return pred, target, floor(nr)
    flip = np.where(G, _segment(model, Z1, Z, column, sign, log_odds, steps),
                    _segment(model, Rr, Z1, column, sign, log_odds, steps))
    return pred, target, 0.5 * (floor(nr) + floor(flip))


def explain_drop(model, X, chosen=None, log_odds=False, steps=64, top=3):
    """(prediction, target, R) of rule set neon-drop: neon-ref averaged with the flip-ordered
    path whose first piece is taken whole: G carries target(z) - target(z1), split as nr plus
    an even correction; the rest the relevance form of the segment r -> z1."""
    pred, target, floor, nr, g, G, Z, Z1, Rr, (column, sign) = _flip_start(
        model, X, chosen, log_odds, steps, top)
    if g == 0:
        return pred, target, floor(nr)
    inputs1, _ = _pass(model, Z1)
    _, _, at_z1, _ = _top(model, _layers(model), inputs1, column, sign, log_odds)
    held = np.where(G, nr, 0.0).sum(axis=1)
    correction = (target - at_z1 - held) / g
    drop = np.where(G, nr + correction[:, None],
                    _segment(model, Rr, Z1, column, sign, log_odds, steps))
    return pred, target, 0.5 * (floor(nr) + floor(drop))
